// Errors that routes and repositories throw, mapped to HTTP statuses in one place (app.ts).
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly field?: string,
  ) {
    super(message)
  }
}
export const notFound = (what: string) => new HttpError(404, `${what} not found`)
export const badRequest = (message: string, field?: string) => new HttpError(400, message, field)
export const conflict = (message: string, field?: string) => new HttpError(409, message, field)
export const forbidden = (message = 'forbidden') => new HttpError(403, message)
