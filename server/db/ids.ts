// Row ids for tables written in bulk (ratings, events, flags, cases, rollups, webhook outbox).
// UUIDv7 starts with the time, so new rows land at the end of the primary-key index: a random v4
// id touches a random index page per row, which made each ingest commit write (and sync) many
// more pages. Same text form as before, so existing ids and the API do not change.
export { v7 as newRowId } from 'uuid'
