/** One command's shape: its zod input and output schemas. */
import type { z } from 'zod';

export function command<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output } as const;
}
