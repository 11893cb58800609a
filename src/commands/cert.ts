// `albctl cert`: private.pem (0600), public.pem, certificate.csr, certificate.crt; `--upload` puts
// the certificate into IAM as a server certificate.
import type { Command } from 'commander';
import { certQuestions, checkForceAfterUpload } from '../inputs/cert.js';
import { addExamples } from './help.js';
import { addQuestionOptions } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('cert')
    .description('write a key, a CSR and a self-signed certificate for the load balancer (CN/SAN: its DNS name); --upload puts it into IAM');
  addQuestionOptions(cmd, certQuestions, 'command');
  addExamples(cmd, [
    ["a key and a certificate for the load balancer's DNS name", 'albctl cert'],
    ['the same, uploaded to IAM for the HTTPS listener', 'albctl cert --upload'],
    ['for local tests: no AWS needed', 'albctl cert --cn localhost --san localhost,127.0.0.1'],
    ['rotate: a new key and certificate in IAM and on the HTTPS listener', 'albctl cert --rotate'],
  ]);
  cmd.action(async (_opts, self: Command) => {
    const [{ runStepCommand, needInState }, { rotateIfDue }] = await Promise.all([import('./run-steps.js'), import('../steps/certificate-rotation.js')]);
    await runStepCommand(self, {
      command: 'cert',
      questions: certQuestions,
      validate: (values, state) => {
        if (values.certRotate) needInState(state, 'certificateFiles', 'cert');
        checkForceAfterUpload(values, state, '--force');
      },
      prepare: rotateIfDue,
      // The files alone need no AWS: CN and SAN come from the flags, the state, or the stack's name.
      aws: (values) => values.certUpload || values.certRotate,
      steps: (values) => (values.certUpload ? ['certificateFiles', 'serverCertificate'] : ['certificateFiles']),
      result: (out) => ({ certificateFiles: out.get('certificateFiles'), serverCertificate: out.get('serverCertificate') ?? null }),
      summary: (out) => {
        const files = out.get('certificateFiles');
        const iam = out.get('serverCertificate');
        const lines: string[] = [];
        if (files) {
          lines.push(`certificate ${String(files.certificate)} (CN ${String(files.cn)}, expires ${String(files.notAfter).slice(0, 10)})`);
          lines.push(`  SHA-256 ${String(files.fingerprintSha256)}; key ${String(files.privateKey)} (mode 0600)`);
        }
        if (iam) lines.push(`IAM server certificate ${String(iam.name)}: ${String(iam.arn)}`);
        return lines;
      },
    });
  });
}
