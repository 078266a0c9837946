import { HttpException } from '@nestjs/common';
import { ErrorBody } from '../../common/all-exceptions.filter';

/** A failed call: an HTTP error whose body says what went wrong and what to do next. */
export class OperationFailure extends HttpException {
  constructor(readonly body: ErrorBody) {
    super(body, body.statusCode);
  }
}
