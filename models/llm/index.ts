import { ChatOpenAI } from "@langchain/openai";

/**
 * The LLM tier: any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, LM Studio…) through
 * `@langchain/openai`. Configured only by environment so operators switch providers without code:
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | OPENAI_API_KEY | (unset) | enables the LLM tier; without it every turn runs on the local model |
 * | OPENAI_BASE_URL | OpenAI | base URL of a compatible server, e.g. http://localhost:11434/v1 |
 * | AISLE_LLM_MODEL | gpt-4o-mini | model name for the `llm` tier |
 * | AISLE_LLM_TEMPERATURE | 0 | sampling temperature (0: reproducible tool calls) |
 * | AISLE_LLM_TIMEOUT_MS | 30000 | request timeout |
 * | AISLE_LLM_PRICE_IN_PER_1K / AISLE_LLM_PRICE_OUT_PER_1K | 0.00015 / 0.0006 | $ per 1k tokens, for cost metrics |
 */
export interface LlmSettings {
  apiKey: string;
  baseURL?: string;
  model: string;
  temperature: number;
  timeoutMs: number;
  price: { input: number; output: number };
}

const num = (v: string | undefined, d: number) => (v !== undefined && v !== "" && Number.isFinite(Number(v)) ? Number(v) : d);

export function llmSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LlmSettings | undefined {
  if (!env.OPENAI_API_KEY) return undefined;
  return {
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL || undefined,
    model: env.AISLE_LLM_MODEL || "gpt-4o-mini",
    temperature: num(env.AISLE_LLM_TEMPERATURE, 0),
    timeoutMs: num(env.AISLE_LLM_TIMEOUT_MS, 30_000),
    price: { input: num(env.AISLE_LLM_PRICE_IN_PER_1K, 0.00015), output: num(env.AISLE_LLM_PRICE_OUT_PER_1K, 0.0006) },
  };
}

/** The price table for cost metrics when no LLM is configured. */
export const NO_LLM_PRICE = { input: 0, output: 0 };

export function createLlm(settings: LlmSettings): ChatOpenAI {
  return new ChatOpenAI({
    apiKey: settings.apiKey,
    model: settings.model,
    temperature: settings.temperature,
    timeout: settings.timeoutMs,
    maxRetries: 1,
    streamUsage: true,
    configuration: settings.baseURL ? { baseURL: settings.baseURL } : undefined,
  });
}
