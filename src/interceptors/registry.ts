import type { Interceptor } from "./types.js";

/** The interceptors that run in-process, by the name a TriggerInterceptor's `ref.name` uses. */
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
