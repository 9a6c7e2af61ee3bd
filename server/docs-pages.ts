// Readable pages for integrators, rendered from the repository's Markdown: /docs/protocol (the pad
// protocol, generated from protocol/ by `npm run docs:protocol`) with its AsyncAPI document and JSON
// Schemas, and /docs/integrators (docs/integrators.md). The OpenAPI page stays at /docs.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { Marked, type Tokens } from 'marked'

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '../docs')

const PAGES = {
  '/docs/protocol': { file: 'protocol/README.md', dir: '/docs/protocol/' },
  '/docs/integrators': { file: 'integrators.md', dir: '/docs/' },
} as const

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes (CJK kept). */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .trim()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

/** Links between the docs go to the pages that serve them. */
function pageHref(href: string, dir: string): string {
  if (/^([a-z]+:|\/|#)/i.test(href)) return href
  const url = new URL(href, `http://x${dir}`)
  const path = url.pathname
    .replace(/^\/docs\/protocol\/README\.md$/, '/docs/protocol')
    .replace(/^\/docs\/integrators\.md$/, '/docs/integrators')
    .replace(/^\/docs\/protocol\/$/, '/docs/protocol')
  return path + url.hash
}

export function renderPage(markdown: string, dir: string): string {
  const marked = new Marked({ gfm: true })
  marked.use({
    renderer: {
      heading(
        this: { parser: { parseInline(t: Tokens.Generic[]): string } },
        { tokens, depth, text }: Tokens.Heading,
      ) {
        return `<h${depth} id="${escape(slug(text))}">${this.parser.parseInline(tokens)}</h${depth}>\n`
      },
      link(
        this: { parser: { parseInline(t: Tokens.Generic[]): string } },
        { href, title, tokens }: Tokens.Link,
      ) {
        const t = title ? ` title="${escape(title)}"` : ''
        return `<a href="${escape(pageHref(href, dir))}"${t}>${this.parser.parseInline(tokens)}</a>`
      },
    },
  })
  const body = marked.parse(markdown, { async: false })
  const title = /^#\s+(.+)$/m.exec(markdown)?.[1] ?? 'Rating pad'
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
  body { margin: 0; font: 16px/1.6 system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; color: #1f2328; background: #fff; }
  main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
  nav { font-size: .9rem; margin-bottom: 1rem; }
  nav a { margin-right: 1rem; }
  h1, h2, h3 { line-height: 1.25; margin-top: 2rem; }
  h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
  code { font: .875em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f6f8fa; padding: .1em .3em; border-radius: 4px; }
  pre { background: #f6f8fa; padding: 1rem; overflow: auto; border-radius: 6px; }
  pre code { background: none; padding: 0; }
  table { border-collapse: collapse; display: block; overflow: auto; margin: 1rem 0; }
  th, td { border: 1px solid #d0d7de; padding: .35rem .7rem; text-align: left; vertical-align: top; }
  th { background: #f6f8fa; }
  a { color: #0969da; }
</style>
</head>
<body><main>
<nav><a href="/docs/protocol">Protocol</a><a href="/docs/integrators">Integrators’ guide</a><a href="/docs">REST API (OpenAPI)</a></nav>
${body}</main></body>
</html>
`
}

export function registerDocsPages(app: FastifyInstance) {
  for (const [path, page] of Object.entries(PAGES)) {
    // Read at start: the pages are part of the installed version.
    const html = renderPage(readFileSync(join(DOCS, page.file), 'utf8'), page.dir)
    app.get(path, { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/html; charset=utf-8').send(html),
    )
  }
  app.get('/docs/protocol/asyncapi.json', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('application/json').send(readFileSync(join(DOCS, 'protocol/asyncapi.json'))),
  )
  app.get('/docs/protocol/schemas/:name', { schema: { hide: true } }, async (req, reply) => {
    const { name } = req.params as { name: string }
    if (!/^[a-z-]+\.json$/.test(name))
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such schema' })
    try {
      return reply.type('application/json').send(readFileSync(join(DOCS, 'protocol/schemas', name)))
    } catch {
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such schema' })
    }
  })
}
