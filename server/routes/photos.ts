// Staff photos (亮身份): uploaded by a manager, stored under DATA_DIR/photos, served publicly at
// /photos/<file> because the pads show them to every citizen at the counter. A file's name holds a
// hash of its bytes, so browsers may cache it for good and a new photo is a new URL.
import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { FastifyPluginAsync } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import fastifyStatic from '@fastify/static'
import { fileTypeFromBuffer } from 'file-type'
import { assertCanWrite } from '../auth/principal.ts'
import { badRequest } from '../errors.ts'
import { IdParams } from './schemas.ts'

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const
export const PHOTO_MAX_BYTES = 2 * 1024 * 1024
const PREFIX = '/photos/'

export const photosDir = (dataDir: string) => join(dataDir, 'photos')

/** PUT /api/v1/staff/:id/photo with the image itself as the body. */
export const photoUpload: FastifyPluginAsyncZod = async (app) => {
  const dir = photosDir(app.config.dataDir)
  mkdirSync(dir, { recursive: true })
  app.addContentTypeParser(
    [...PHOTO_TYPES],
    { parseAs: 'buffer', bodyLimit: PHOTO_MAX_BYTES },
    (_req, body, done) => done(null, body),
  )
  app.put(
    '/staff/:id/photo',
    {
      bodyLimit: PHOTO_MAX_BYTES,
      schema: {
        tags: ['registry'],
        params: IdParams,
        summary: `Upload a staff photo: the image as the body (JPEG, PNG or WebP, at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB); sets photoUrl`,
      },
    },
    async (req) => {
      const staff = await app.repos.staff.get(req.params.id)
      assertCanWrite(req.principal, staff.hallId)
      const body = req.body as Buffer
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw badRequest(`send the image as the body (${PHOTO_TYPES.join(', ')})`, 'body')
      // The bytes decide, not the header: a renamed file of another kind is refused.
      const type = await fileTypeFromBuffer(body)
      if (!type || !(PHOTO_TYPES as readonly string[]).includes(type.mime))
        throw badRequest(`not a JPEG, PNG or WebP image (${type?.mime ?? 'unknown content'})`, 'body')
      const file = `${staff.id.replace(/[^A-Za-z0-9_-]/g, '_')}-${createHash('sha256').update(body).digest('hex').slice(0, 16)}.${type.ext}`
      await writeFile(join(dir, file), body)
      const previous = staff.photoUrl?.startsWith(PREFIX) ? basename(staff.photoUrl) : null
      const updated = await app.repos.staff.update(staff.id, { photoUrl: `${PREFIX}${file}` })
      if (previous && previous !== file) await rm(join(dir, previous), { force: true })
      await app.padConfig.publishForWindows(await app.repos.staff.windowsOf(staff.id)) // the card changed
      return updated
    },
  )
}

/** GET /photos/<file>: public, cached for good. */
export const photoFiles: FastifyPluginAsync = async (app) => {
  const root = photosDir(app.config.dataDir)
  mkdirSync(root, { recursive: true })
  await app.register(fastifyStatic, {
    root,
    prefix: PREFIX,
    decorateReply: false,
    index: false,
    immutable: true,
    maxAge: '365d',
    allowedPath: (path) => /^\/?[A-Za-z0-9_-]+\.(jpg|png|webp)$/.test(path),
  })
}
