import {
  commands,
  events,
  isCommandName,
  isEventName,
  QuireCommandError,
  toWireIssues,
  type AnyEvent,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type QuireApi,
} from './contract/index';

/**
 * The renderer's typed client. A wrong command name or input shape is a compile error; at run
 * time the input is checked before it leaves, and the output and every event are parsed with
 * the same schemas main uses, so drift between the two sides shows up as a clear error.
 */
export interface QuireClient {
  call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  subscribe(listener: (event: AnyEvent) => void): () => void;
}

export function createQuireClient(api: QuireApi): QuireClient {
  return {
    async call(name, input) {
      if (!isCommandName(name)) {
        throw new QuireCommandError(String(name), {
          code: 'UNKNOWN_COMMAND',
          message: `unknown command ${String(name)}`,
        });
      }
      const spec = commands[name];
      const parsedInput = spec.input.safeParse(input);
      if (!parsedInput.success) {
        const issues = toWireIssues(parsedInput.error);
        throw new QuireCommandError(name, { code: 'INVALID_INPUT', message: 'invalid input', issues });
      }
      const result = await api.invoke(name, parsedInput.data);
      if (!result.ok) throw new QuireCommandError(name, result.error);
      const parsedOutput = spec.output.safeParse(result.output);
      if (!parsedOutput.success) {
        throw new QuireCommandError(name, {
          code: 'INVALID_OUTPUT',
          message: 'the station answered with data that does not match the contract',
          issues: toWireIssues(parsedOutput.error),
        });
      }
      return parsedOutput.data as CommandOutput<typeof name>;
    },
    subscribe(listener) {
      return api.onEvent((raw) => {
        if (!isEventName(raw.name)) return;
        const parsed = events[raw.name].payload.safeParse(raw.payload);
        if (parsed.success) listener({ name: raw.name, payload: parsed.data } as AnyEvent);
      });
    },
  };
}
