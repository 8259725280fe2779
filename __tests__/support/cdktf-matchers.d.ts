import "vitest";

// cdktf's matchers, registered by Testing.setupJest() in setup.ts, typed for vitest.
interface CdktfMatchers<R = unknown> {
  toHaveResource(resourceType: { readonly tfResourceType: string }): R;
  toHaveResourceWithProperties(resourceType: { readonly tfResourceType: string }, properties: Record<string, unknown>): R;
  toHaveDataSource(dataSourceType: { readonly tfResourceType: string }): R;
  toHaveDataSourceWithProperties(dataSourceType: { readonly tfResourceType: string }, properties: Record<string, unknown>): R;
  toHaveProvider(providerType: { readonly tfResourceType: string }): R;
  toHaveProviderWithProperties(providerType: { readonly tfResourceType: string }, properties: Record<string, unknown>): R;
  toBeValidTerraform(): R;
  toPlanSuccessfully(): R;
}

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends CdktfMatchers<T> {}
}
