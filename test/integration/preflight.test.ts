// Checked before anything changes: a bring-your-own ACM certificate (there, ISSUED, in this
// region) and where the instance type can run (default subnets among the AZs that offer it; a
// subnet the user named in an AZ without it is a usage error naming the subnet). moto's
// us-east-1 offers trn1.2xlarge in us-east-1c and us-east-1f only.
import { describe, expect, it } from 'vitest';
import { ACMClient, ImportCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { generateCertificate } from '../../src/cert/generate.js';
import { errorLines, mutatingCalls } from '../support/edge.js';
import { tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();

describe('bring-your-own ACM certificate', () => {
  it('https --certificate <ACM ARN>: a pending, missing or other-region certificate is exit 2 with nothing changed; an issued one is used', async () => {
    const dir = await tempDir();
    const built = await moto.cli(['init', '--yes', '--no-https', '--instances', '0'], dir);
    expect(built.code, built.stderr).toBe(0);
    const acm = moto.client(ACMClient);
    const cert = generateCertificate({ cn: 'shop.example.com', san: ['shop.example.com'], days: 90 });
    const issued = (await acm.send(new ImportCertificateCommand({ Certificate: Buffer.from(cert.certificatePem), PrivateKey: Buffer.from(cert.privateKeyPem) }))).CertificateArn!;
    const pending = (await acm.send(new RequestCertificateCommand({ DomainName: 'shop.example.com', ValidationMethod: 'DNS' }))).CertificateArn!;
    const missing = issued.replace(/certificate\/.*$/, 'certificate/00000000-0000-4000-8000-000000000000');
    const elsewhere = issued.replace(':us-east-1:', ':eu-west-1:');

    const refused: [string, RegExp][] = [
      [pending, new RegExp(`^albctl: --certificate ${pending} is PENDING_VALIDATION in ACM, not ISSUED: finish its DNS or email validation first$`)],
      [missing, /^albctl: --certificate arn:aws:acm:.*: no such ACM certificate in this account \(ResourceNotFoundException\)$/],
      [elsewhere, /^albctl: --certificate arn:aws:acm:eu-west-1:.* is an ACM certificate in eu-west-1; the load balancer is in us-east-1/],
    ];
    for (const [arn, says] of refused) {
      const r = await moto.cli(['https', '--certificate', arn, '-v'], dir);
      expect(r.code, r.stderr).toBe(2);
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(says)]);
      expect(mutatingCalls(r.stderr)).toEqual([]);
      if (arn === elsewhere) expect(r.stderr).not.toMatch(/ACM\.DescribeCertificate/);
    }
    const used = await moto.cli(['https', '--certificate', issued, '--json'], dir);
    expect(used.code, used.stderr).toBe(0);
    expect(JSON.parse(used.stdout).httpsListener.certificateArn).toBe(issued);
  }, 90_000);
});

describe('instance types by availability zone', () => {
  it('default subnets come from the AZs that offer the type; a named subnet in another AZ is exit 2 naming it', async () => {
    const dir = await tempDir();
    const { subnets } = await moto.network();
    const inAz = (az: string) => subnets.find((s) => s.az === az)!.id;
    const refused = await moto.cli(['init', '--yes', '--instance-type', 'trn1.2xlarge', '--subnets', `${inAz('us-east-1a')},${inAz('us-east-1c')}`, '-v'], dir);
    expect(refused.code).toBe(2);
    expect(errorLines(refused.stderr)).toEqual([
      `albctl: --subnets: ${inAz('us-east-1a')} is in us-east-1a, which does not offer trn1.2xlarge (offered in us-east-1c, us-east-1f)`,
    ]);
    expect(mutatingCalls(refused.stderr)).toEqual([]);

    const built = await moto.cli(['init', '--yes', '--instance-type', 'trn1.2xlarge', '--instances', '2', '--json'], dir);
    expect(built.code, built.stderr).toBe(0);
    const out = JSON.parse(built.stdout).outputs;
    expect(out.loadBalancer.availabilityZones).toEqual(['us-east-1c', 'us-east-1f']);
    expect([...out.autoScalingGroup.availabilityZones].sort()).toEqual(['us-east-1c', 'us-east-1f']);
    const running = await moto.client(EC2Client).send(new DescribeInstancesCommand({ InstanceIds: out.instances.instanceIds }));
    const azs = running.Reservations!.flatMap((r) => r.Instances!).map((i) => i.Placement!.AvailabilityZone).sort();
    expect(azs).toEqual(['us-east-1c', 'us-east-1f']);
  }, 90_000);
});
