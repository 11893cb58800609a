// The network edge's own parsers: CIDRs (--ssh-cidr), certificate references (--certificate),
// listener ports that must differ.
import { describe, expect, it } from 'vitest';
import { certificateRef, checkListenerPorts } from '../../../src/inputs/https.js';
import { cidr } from '../../../src/inputs/parse.js';
import { usage } from '../../support/usage.js';

describe('cidr', () => {
  it.each([
    ['203.0.113.0/24', '203.0.113.0/24'],
    ['203.0.113.7/32', '203.0.113.7/32'],
    [' 0.0.0.0/0 ', '0.0.0.0/0'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['::/0', '::/0'],
    ['2001:db8:0:0:0:0:0:1/128', '2001:db8:0:0:0:0:0:1/128'],
  ])('%s → %s', (raw, want) => expect(cidr(raw, '--ssh-cidr')).toBe(want));

  it.each([
    ['203.0.113.5/24', /host bits set \(did you mean 203\.0\.113\.0\/24 or 203\.0\.113\.5\/32\?\)/],
    ['2001:db8::1/64', /host bits set/],
    ['203.0.113.0', /must be a CIDR like/],
    ['256.0.0.0/8', /must be a CIDR like/],
    ['10.0.0.0/33', /must be a CIDR like/],
    ['2001:db8::/129', /must be a CIDR like/],
    ['1:2:3/16', /must be a CIDR like/],
    ['anywhere', /must be a CIDR like/],
  ])('refuses %s', (raw, pattern) => expect(usage(() => cidr(raw, '--ssh-cidr'))).toMatch(pattern));
});

describe('certificateRef', () => {
  it('tells ARNs, files and IAM names apart', () => {
    expect(certificateRef('arn:aws:iam::123456789012:server-certificate/albctl/s/s-cert-1', '--certificate')).toEqual({
      arn: 'arn:aws:iam::123456789012:server-certificate/albctl/s/s-cert-1',
    });
    const acm = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
    expect(certificateRef(acm, '--certificate')).toEqual({ arn: acm });
    expect(certificateRef('./certs/certificate.crt', '--certificate')).toEqual({ file: expect.stringMatching(/\/certs\/certificate\.crt$/) });
    expect(certificateRef('mine.pem', '--certificate')).toEqual({ file: expect.stringMatching(/\/mine\.pem$/) });
    expect(certificateRef('web-cert-2026', '--certificate')).toEqual({ name: 'web-cert-2026' });
  });

  it('refuses other ARNs and bad names', () => {
    expect(usage(() => certificateRef('arn:aws:s3:::bucket', '--certificate'))).toMatch(/^--certificate must be an IAM server certificate ARN/);
    expect(usage(() => certificateRef('has space', '--certificate'))).toMatch(/^--certificate may contain only/);
  });
});

describe('checkListenerPorts', () => {
  it('HTTP and HTTPS need different ports', () => {
    expect(() => checkListenerPorts({ listenerPort: 80, httpsPort: 443 }, '--port', 'HTTP')).not.toThrow();
    expect(() => checkListenerPorts({ listenerPort: 8080, httpsPort: 8443 }, '--port', 'HTTP')).not.toThrow();
    expect(usage(() => checkListenerPorts({ listenerPort: 80, httpsPort: 80 }, '--port', 'HTTP'))).toBe(
      "--port 80 is the HTTP listener's port: the HTTP and HTTPS listeners need different ports",
    );
  });
});
