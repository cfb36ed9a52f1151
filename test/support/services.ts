/**
 * Where the integration run's local services listen: set by the global setup (which
 * starts them once for the run) and read by each test file.
 */
export const SERVICE_ENDPOINT_VARS = {
  dynamodb: 'TEST_DYNAMODB_ENDPOINT',
  sns: 'TEST_SNS_ENDPOINT',
} as const;

export function serviceEndpoint(service: keyof typeof SERVICE_ENDPOINT_VARS): string {
  const endpoint = process.env[SERVICE_ENDPOINT_VARS[service]];
  if (!endpoint) {
    throw new Error(
      `${SERVICE_ENDPOINT_VARS[service]} is not set: run integration tests through jest's integration project.`,
    );
  }
  return endpoint;
}
