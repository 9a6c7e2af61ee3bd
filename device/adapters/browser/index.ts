// Adapters for a pad running in a browser (a tablet in kiosk mode): IndexedDB storage and Web Speech.
// The transport is MqttTransport over ws:// or wss://, the clock SystemClock (device/index.ts).
export {
  deleteIndexedDbStorage,
  IndexedDbOutbox,
  IndexedDbSettings,
  openIndexedDbStorage,
  padDatabaseName,
  type IndexedDbStorageOptions,
} from './indexeddb-storage.ts'
export { pickVoice, SpeechAudio, speechLang, type SpeechAudioOptions } from './speech-audio.ts'
