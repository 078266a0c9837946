// Runs the @nestjs/swagger CLI plugin inside ts-jest, as `nest build` does, so tests see the same
// OpenAPI schemas (descriptions from comments, validation rules) as the built service.
const transformer = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (cs) =>
  transformer.before(
    { introspectComments: true, classValidatorShim: true, dtoFileNameSuffix: ['.dto.ts'] },
    cs.program,
  );
