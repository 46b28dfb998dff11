/** How specs are loaded: strictly (the default) or leniently, and where warnings go. */
export interface LoadingPolicy {
  /** Problems that do not keep a document from being served are warnings, not errors. */
  lenient: boolean;
  /** Receives each warning of a load, as one line naming the file, the pointer and the line. */
  warn?: (message: string) => void;
}

export const STRICT: LoadingPolicy = { lenient: false };
