/** Stops the services the global setup started; jest runs this whether tests passed or not. */
export default async function globalTeardown(): Promise<void> {
  await Promise.all((globalThis.integrationServices ?? []).map((service) => service.stop()));
  globalThis.integrationServices = undefined;
}
