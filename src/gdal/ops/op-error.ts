/** An error caused by the request's inputs (not by GDAL or the machine): reported as the input's fault. */
export class OpInputError extends Error {
  constructor(public readonly input: string, message: string) {
    super(message);
    this.name = 'OpInputError';
  }
}
