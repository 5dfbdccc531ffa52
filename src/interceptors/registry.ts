import type { Interceptor } from "./types.js";

/**
 * The names of Tekton's core ClusterInterceptors. They always mean hookline's built-ins: a plug-in
 * may not take one, and an Interceptor/ClusterInterceptor of that name is never called.
 */
export const CORE_INTERCEPTOR_NAMES: ReadonlySet<string> = new Set([
  "github",
  "gitlab",
  "bitbucket",
  "slack",
  "cel",
]);

/**
 * The interceptors that run in-process (the core ones and plug-ins), by the name a
 * TriggerInterceptor's `ref.name` uses.
 */
export class InterceptorRegistry {
  private readonly byName = new Map<string, Interceptor<unknown>>();

  constructor(interceptors: readonly Interceptor<unknown>[] = []) {
    for (const i of interceptors) this.register(i);
  }

  register(interceptor: Interceptor<unknown>): void {
    if (this.byName.has(interceptor.name)) {
      throw new Error(`interceptor "${interceptor.name}" is registered twice`);
    }
    this.byName.set(interceptor.name, interceptor);
  }

  get(name: string): Interceptor<unknown> | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
