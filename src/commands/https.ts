// `albctl https`: the HTTPS listener with the IAM certificate and a TLS 1.3 security policy;
// `--redirect-http` turns the HTTP listener into a 301 to HTTPS (after the HTTPS listener exists).
import type { Command } from 'commander';
import { certificateName } from '../inputs/cert.js';
import { checkListenerPorts, httpsPort, httpsQuestions } from '../inputs/https.js';
import type { Question } from '../inputs/question.js';
import { addExamples } from './help.js';
import { addQuestionOptions } from './options.js';

// Here `--name` would be ambiguous: the IAM name for an uploaded --certificate file is --cert-name.
const uploadName: Question = { ...certificateName, local: undefined };
const questions = [...httpsQuestions, uploadName];

export function register(program: Command): void {
  const cmd = program
    .command('https')
    .description('create the HTTPS listener (IAM certificate, TLS 1.3 policy) forwarding to the target group; --redirect-http makes HTTP a 301 to it');
  addQuestionOptions(cmd, questions, 'command');
  addExamples(cmd, [
    ['the HTTPS listener with the certificate `albctl cert --upload` made', 'albctl https'],
    ['and make HTTP answer with a 301 redirect to HTTPS', 'albctl https --redirect-http'],
    ['upload a certificate file of your own (private.pem next to it)', 'albctl https --certificate ./certificate.crt'],
    ['TLS 1.3 only', 'albctl https --ssl-policy ELBSecurityPolicy-TLS13-1-3-2021-06'],
  ]);
  cmd.action(async (_opts, self: Command) => {
    const [{ runStepCommand, needInState }, { UsageError }, { rotateIfDue }] = await Promise.all([
      import('./run-steps.js'),
      import('../errors.js'),
      import('../steps/certificate-rotation.js'),
    ]);
    const has = (state: { resource(id: string): { status: string } | undefined }, id: string) => state.resource(id)?.status === 'created';
    await runStepCommand(self, {
      command: 'https',
      questions,
      validate: (values, state) => {
        checkListenerPorts(values, `--${httpsPort.local}`, 'HTTP');
        needInState(state, 'loadBalancer', 'alb');
        needInState(state, 'targetGroup', 'target-group');
        if (!values.certificate && !has(state, 'serverCertificate') && !has(state, 'certificateFiles')) {
          throw new UsageError('the HTTPS listener needs a certificate: run `albctl cert --upload` first, or pass --certificate <arn|name|certificate.crt>');
        }
      },
      // A rotation a killed `cert --rotate` left half done is finished first.
      prepare: rotateIfDue,
      // The ALB group admits the HTTPS port; the certificate is uploaded first when it is a file,
      // or when `cert` wrote files that were never uploaded (an uploaded one is used as it is).
      steps: (values, state) => {
        const ref = values.certificate;
        const upload = ref ? 'file' in ref : !has(state, 'serverCertificate') && has(state, 'certificateFiles');
        // With --redirect-http (or --no-redirect-http) the HTTP listener converges too, after HTTPS.
        return ['albSecurityGroup', ...(upload ? ['serverCertificate'] : []), 'httpsListener', ...(values.redirectHttp === undefined ? [] : ['httpListener'])];
      },
      result: (out) => {
        const https = out.get('httpsListener');
        return {
          url: https?.url ?? null,
          httpsListener: https,
          serverCertificate: out.get('serverCertificate') ?? null,
          httpListener: out.get('httpListener') ?? null,
        };
      },
      summary: (out) => {
        const https = out.get('httpsListener');
        const http = out.get('httpListener');
        const lines: string[] = [];
        if (https) lines.push(`${String(https.url ?? `HTTPS:${String(https.port)}`)} with ${String(https.sslPolicy)}, certificate ${String(https.certificateArn)}`);
        if (http) lines.push(`HTTP:${String(http.port)}: ${(http.defaultAction as { type: string }).type === 'redirect' ? '301 redirect to HTTPS' : 'forwards to the target group'}`);
        return lines;
      },
    });
  });
}
