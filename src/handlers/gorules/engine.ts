import {
  overrideConfig,
  ZenDecisionContent,
  ZenEngine,
  type ZenEngineResponse,
} from '@gorules/zen-engine';
import type { GoRulesDocument } from './state.js';

/**
 * Evaluates a project's decision documents with GoRules' own engine (`@gorules/zen-engine`, the
 * Rust engine the BRMS and its agent run), so an answer carries the engine's result, its
 * performance and its trace of every node, and an error is the engine's own.
 */

/**
 * How long a function node may run. 5 s is the engine's own default (`ZenConfig`), so the vendor's
 * limit as GoRules ships it; it is set here so that the limit is standin's decision, written down,
 * and not whatever the process set before. A function node that runs longer is interrupted and the
 * evaluation fails with the engine's error.
 */
export const FUNCTION_TIME_LIMIT_MS = 5_000;
overrideConfig({ functionTimeoutMillis: FUNCTION_TIME_LIMIT_MS });

/** How deep decision nodes may nest (a document that refers to itself stops there): the agent's. */
const MAX_DEPTH = 10;

/** An evaluation the engine refused: `message` is its error, as the agent answers it. */
export class DecisionError extends Error {
  override name = 'DecisionError';
}

export type Evaluation = ZenEngineResponse;

let running = 0;

/** Engines alive now: each lives for one evaluation, so this is 0 whenever nothing is evaluating. */
export function enginesInUse(): number {
  return running;
}

/**
 * Each document's content as the engine parsed it, for as long as the state holds that content:
 * states are immutable, so a document's content object stands for one version of it. Parsing is
 * most of what an evaluation costs (about 0.17 of 0.23 ms for the fixture's discount), and a
 * parsed content is plain data, tied to no engine, so sharing it needs no disposing.
 */
const parsedContents = new WeakMap<GoRulesDocument['content'], ZenDecisionContent>();

function parsed(content: GoRulesDocument['content']): ZenDecisionContent {
  let found = parsedContents.get(content);
  if (!found) {
    found = new ZenDecisionContent(content);
    parsedContents.set(content, found);
  }
  return found;
}

/**
 * Checks that the engine can read `content` as a decision graph, as the BRMS document calls must
 * before they store it (a document that cannot be parsed could never be evaluated). Throws a
 * DecisionError with the engine's own text; the parsed graph is kept for the first evaluation.
 */
export function checkContent(content: GoRulesDocument['content']): void {
  try {
    parsed(content);
  } catch (error) {
    throw new DecisionError(engineMessage(error));
  }
}

/**
 * Evaluates `document` with `context`. Decision nodes that refer to other documents (by key) load
 * them from `documents`, the project's documents in the state the request read: one engine per
 * evaluation, whose loader sees exactly that state (an engine's loader is fixed when it is made, and
 * namespaces and requests each have their own state). The engine is disposed as soon as the
 * evaluation ends, whatever its outcome, so nothing of it outlives the request, shutdown included;
 * making one costs a few microseconds.
 */
export async function evaluateDocument(
  document: GoRulesDocument,
  documents: readonly GoRulesDocument[],
  context: Record<string, unknown>,
  withTrace: boolean,
): Promise<Evaluation> {
  const engine = new ZenEngine({
    loader: (key) => {
      const found = documents.find((each) => each.key === key);
      if (!found) return Promise.reject(new Error(`Document not found: ${key}`));
      try {
        return Promise.resolve(parsed(found.content));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  });
  running += 1;
  try {
    const decision = engine.createDecision(parsed(document.content));
    const answer = await decision.evaluate(context, { trace: withTrace, maxDepth: MAX_DEPTH });
    return withTrace
      ? answer
      : { result: answer.result as unknown, performance: answer.performance };
  } catch (error) {
    throw new DecisionError(engineMessage(error));
  } finally {
    engine.dispose();
    running -= 1;
  }
}

/**
 * The engine's error as its own text: for an evaluation error, the JSON the engine prints
 * (`{"nodeId": ..., "source": ..., "type": "NodeError"}`), which is what the agent puts in its
 * `message`. The Node binding appends a Rust backtrace when RUST_BACKTRACE is set; that is the
 * binding's, not the vendor's, so it is cut.
 */
function engineMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const backtrace = text.indexOf('\n\nStack backtrace:');
  return backtrace === -1 ? text : text.slice(0, backtrace);
}
