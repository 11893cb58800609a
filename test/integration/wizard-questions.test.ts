// The wizard's question logic with real inquirer prompts (@inquirer/testing renders them without
// a terminal): defaults, choices discovered from AWS (moto), validation by the flags' parsers.
import { checkbox, confirm, input, select } from '@inquirer/prompts';
import { render } from '@inquirer/testing';
import { describe, expect, it } from 'vitest';
import { Aws } from '../../src/aws/clients.js';
import { wizardQuestions } from '../../src/inputs/all.js';
import { askQuestion } from '../../src/inputs/ask.js';
import { namesFor } from '../../src/inputs/names.js';
import { instanceType, keyName } from '../../src/inputs/launch-template.js';
import { subnets, vpc } from '../../src/inputs/network.js';
import { stickyDuration } from '../../src/inputs/sticky.js';
import { targetPort } from '../../src/inputs/target-group.js';
import { resolveInputs } from '../../src/inputs/resolve.js';
import type { Question } from '../../src/inputs/question.js';
import { promptConfig } from '../../src/ui/tty-prompter.js';
import { createRecordingUi } from '../../src/ui/recording.js';
import type { Prompter, Ui } from '../../src/ui/types.js';
import { converse } from '../../src/wizard/conversation.js';
import { region, useMoto } from '../support/harness.js';

const moto = useMoto();
Object.assign(process.env, moto.env); // the SDK's credential chain reads them

type Rendered = Awaited<ReturnType<typeof render>>;
/** Keys to press for a prompt, chosen by its message; the screens seen are kept for assertions. */
type Driver = (message: string, r: Rendered) => Promise<void>;

function inquirerUi(drive: Driver, screens: string[]): Ui {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const run = async <T>(prompt: any, config: unknown, message: string): Promise<T> => {
    const r = await render(prompt, config as never);
    screens.push(r.getScreen());
    await drive(message, r);
    const answer = (await r.answer) as T;
    screens.push(r.getScreen());
    return answer;
  };
  const prompt: Prompter = {
    input: (q) => run(input, promptConfig.input(q), q.message),
    confirm: (q) => run(confirm, promptConfig.confirm(q), q.message),
    select: (q) => run(select, promptConfig.select(q), q.message),
    checkbox: (q) => run(checkbox, promptConfig.checkbox(q), q.message),
  };
  return { ...createRecordingUi(), interactive: true, prompt };
}

const enter = async (_m: string, r: Rendered) => r.events.keypress('enter');
const base = { stack: 'albctl', names: namesFor('albctl'), command: 'init' };

function askCtx(values: Record<string, unknown> = {}) {
  const aws = new Aws({ region, endpoint: moto.url, readOnly: true });
  return { ...base, aws, signal: new AbortController().signal, values };
}

async function ask(q: Question, current: unknown, drive: Driver, values: Record<string, unknown> = {}) {
  const screens: string[] = [];
  const answer = await askQuestion(q, current, inquirerUi(drive, screens), askCtx(values));
  return { answer, screens };
}

describe('wizard questions', () => {
  it('typed text is checked by the flag\'s own parser, with its message, until it is valid', async () => {
    const { answer, screens } = await ask(targetPort, 8080, async (_m, r) => {
      r.events.type('0');
      r.events.keypress('enter');
      await r.nextRender();
      expect(r.getScreen()).toContain('--target-port must be an integer from 1 to 65535 (got "0")');
      r.events.keypress('backspace');
      r.events.type('9090');
      r.events.keypress('enter');
    });
    expect(answer).toBe(9090);
    expect(screens[0]).toContain('Port the web server listens on (8080)');
  });

  it('durations: the proposal is shown as typed (1d), answers parse to seconds', async () => {
    const { answer, screens } = await ask(stickyDuration, 86400, async (_m, r) => {
      r.events.type('8d');
      r.events.keypress('enter');
      await r.nextRender();
      expect(r.getScreen()).toMatch(/--sticky-duration must be a duration from 1s to 7d/);
      r.events.keypress('backspace');
      r.events.keypress('backspace');
      r.events.type('12h');
      r.events.keypress('enter');
    });
    expect(screens[0]).toContain('(1d)');
    expect(answer).toBe(43200);
  });

  it('the VPC is a choice from the account, the default VPC first', async () => {
    const { vpcId } = await moto.network();
    const { answer, screens } = await ask(vpc, undefined, enter);
    expect(screens[0]).toMatch(new RegExp(`❯ ${vpcId} 172\\.31\\.0\\.0/16 \\(default VPC\\)`));
    expect(answer).toBe(vpcId);
  });

  it('subnets: one public subnet in each of three AZs pre-checked; fewer than two AZs is refused', async () => {
    const net = await moto.network();
    const { answer, screens } = await ask(
      subnets,
      undefined,
      async (_m, r) => {
        // Uncheck the second and third: one AZ left is refused at the prompt; check them again.
        r.events.keypress('down');
        r.events.keypress('space');
        r.events.keypress('down');
        r.events.keypress('space');
        r.events.keypress('enter');
        await r.nextRender();
        expect(r.getScreen()).toContain('choose subnets in two or more availability zones');
        r.events.keypress('space');
        r.events.keypress('up');
        r.events.keypress('space');
        r.events.keypress('enter');
      },
      { vpc: net.vpcId },
    );
    expect(screens[0]).toMatch(/◉ subnet-\w+ us-east-1a/);
    expect((answer as string[]).length).toBe(3);
    expect(new Set((answer as string[]).map((id) => net.subnets.find((s) => s.id === id)!.az)).size).toBe(3);
  });

  it('key pairs: "none" is a choice and means no key', async () => {
    const { answer, screens } = await ask(keyName, undefined, enter);
    expect(screens[0]).toContain('none (no SSH)');
    expect(answer).toBeUndefined();
  });

  it('instance types: a short list with t3.micro first; arrows pick another', async () => {
    const { answer, screens } = await ask(instanceType, 't3.micro', async (_m, r) => {
      r.events.keypress('down');
      r.events.keypress('enter');
    });
    expect(screens[0]).toMatch(/❯ t3\.micro\n\s+t3\.small/);
    expect(answer).toBe('t3.small');
  });

  it('the conversation skips what flags answered and what does not apply (no redirect question without HTTPS)', async () => {
    const resolved = resolveInputs({ targetPort: 9000, https: false }, {}, base);
    const asked: string[] = [];
    const ui = inquirerUi(async (message, r) => {
      asked.push(message);
      r.events.keypress('enter');
    }, []);
    const values = await converse(wizardQuestions, resolved, ui, { ...base, aws: askCtx().aws, signal: new AbortController().signal });
    expect(asked).not.toContain('Port the web server listens on');
    expect(asked.some((m) => /HTTPS|TLS/.test(m))).toBe(false);
    expect(asked).toContain('Stickiness duration (90s, 15m, 12h, 1d)');
    expect(values).toMatchObject({ targetPort: 9000, https: false, stickyDuration: 86400, minSize: 0, maxSize: 4, instanceCount: 2 });
    expect(values.scalingPolicy).toEqual({ metric: 'request-count', target: 100 });
    expect(values.desiredCapacity).toBeUndefined(); // empty: the group starts at its minimum
  });
});
