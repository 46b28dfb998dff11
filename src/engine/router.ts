/**
 * Matches a request path (below the vendor's mount point, still percent-encoded) to a path
 * template of the spec. Literal paths are found in one lookup; templated ones are tried with the
 * most literal characters first, so `/users/self` wins over `/users/{userId}` as OpenAPI requires.
 */
export interface PathMatch<T> {
  template: string;
  methods: ReadonlyMap<string, T>;
  /** Path variables, percent-decoded. */
  params: Record<string, string>;
}

interface TemplateRoute<T> {
  template: string;
  pattern: RegExp;
  names: string[];
  literalLength: number;
  methods: Map<string, T>;
}

export class PathRouter<T> {
  private readonly literal = new Map<string, { template: string; methods: Map<string, T> }>();
  private readonly templated: Array<TemplateRoute<T>> = [];

  add(template: string, method: string, value: T): void {
    if (!template.includes('{')) {
      const entry = this.literal.get(template) ?? { template, methods: new Map<string, T>() };
      entry.methods.set(method, value);
      this.literal.set(template, entry);
      return;
    }
    let route = this.templated.find((candidate) => candidate.template === template);
    if (!route) {
      route = compileTemplate<T>(template);
      this.templated.push(route);
      this.templated.sort((a, b) => b.literalLength - a.literalLength);
    }
    route.methods.set(method, value);
  }

  /**
   * Throws URIError when a path variable is not valid percent-encoding, so the caller can answer
   * 400 rather than 404.
   */
  match(path: string): PathMatch<T> | undefined {
    const literal = this.literal.get(path);
    if (literal) return { template: literal.template, methods: literal.methods, params: {} };
    for (const route of this.templated) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1] ?? '');
      });
      return { template: route.template, methods: route.methods, params };
    }
    return undefined;
  }
}

function compileTemplate<T>(template: string): TemplateRoute<T> {
  const names: string[] = [];
  let literalLength = 0;
  const source = template
    .split(/(\{[^{}]+\})/)
    .map((part) => {
      if (part.startsWith('{') && part.endsWith('}')) {
        names.push(part.slice(1, -1));
        // A variable is one non-empty path segment, never a slash.
        return '([^/]+)';
      }
      literalLength += part.length;
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { template, pattern: new RegExp(`^${source}$`), names, literalLength, methods: new Map() };
}
