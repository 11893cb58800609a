// The corpus of bad inputs: each names what the error line must say (the flag and what is allowed).
export interface BadInput {
  /**
   * The command line. Placeholders: `{subnet-a}`, `{subnet-b}` (default subnets in two AZs),
   * `{subnet-a2}` (a second subnet in the first one's AZ, made for the case).
   */
  args: string[];
  says: RegExp;
  env?: Record<string, string>;
  /** Default 2. */
  exit?: number;
  /** Files put into the working directory first (name → content); `CERTIFICATE_WITHOUT_KEY` is a real certificate. */
  files?: Record<string, string>;
  /** S3 buckets made first: in another region, or in another account (moto's x-moto-account-id). */
  buckets?: { name: string; region?: string; account?: string }[];
}

/** Replaced by a valid PEM certificate (with no private.pem beside it). */
export const CERTIFICATE_WITHOUT_KEY = '<a certificate without its key>';

const tg = (...args: string[]) => ['target-group', ...args];
const alb = (...args: string[]) => ['alb', ...args];
const cert = (...args: string[]) => ['cert', ...args];
const https = (...args: string[]) => ['https', ...args];
const sticky = (...args: string[]) => ['sticky', ...args];
/** With --security-groups, so the launch template needs nothing from `albctl alb`. */
const lt = (...args: string[]) => ['launch-template', ...args];
const asg = (...args: string[]) => ['asg', ...args];
const instances = (...args: string[]) => ['instances', ...args];
const init = (...args: string[]) => ['init', '--yes', ...args];
const url = 'http://127.0.0.1:9/';
const loadtest = (...args: string[]) => ['loadtest', url, ...args];
const sg = 'sg-0123456789abcdef0';
const port = /must be an integer from 1 to 65535/;
const stickyRange = /must be a duration from 1s to 7d \(like 90s, 15m, 12h, 1d, or seconds\)/;
const policy = /must be request-count:<requests per target, 1-1000000> or cpu:<percent, 1-100>/;

const logs = /--access-logs must be s3:\/\/<bucket>\/<prefix>/;

export const badInputs: BadInput[] = [
  // security posture: access log buckets, desync mode, instance types
  { args: alb('--access-logs', 's3://Bad_Bucket/logs'), says: logs },
  { args: alb('--access-logs', 's3://ab/logs'), says: logs },
  { args: alb('--access-logs', 'ftp://bucket/logs'), says: logs },
  { args: alb('--access-logs', 's3://bucket..name/logs'), says: logs },
  { args: alb('--access-logs', 's3://my-bucket/AWSLogs'), says: /--access-logs must be .*without "AWSLogs"/ },
  { args: init('--access-logs', 's3://192.168.1.1/logs'), says: logs },
  { args: alb('--access-logs', 's3://albctl-no-such-bucket/logs'), says: /--access-logs: the S3 bucket albctl-no-such-bucket does not exist/ },
  {
    args: alb('--access-logs', 's3://albctl-logs-far-away/alb'),
    buckets: [{ name: 'albctl-logs-far-away', region: 'eu-west-1' }],
    says: /--access-logs: the S3 bucket albctl-logs-far-away is in eu-west-1; ELB writes access logs only to a bucket in us-east-1/,
  },
  {
    args: init('--access-logs', 's3://someone-elses-logs/alb'),
    buckets: [{ name: 'someone-elses-logs', account: '111122223333' }],
    says: /--access-logs: the S3 bucket someone-elses-logs is not in account 123456789012/,
    exit: 3,
  },
  {
    args: alb('--access-logs', 's3://albctl-logs-no-policy/alb'),
    buckets: [{ name: 'albctl-logs-no-policy' }],
    says: /--access-logs: the policy of S3 bucket albctl-logs-no-policy does not let ELB write access logs: allow s3:PutObject/,
  },
  { args: alb('--desync-mode', 'monitor'), says: /--desync-mode must be one of defensive, strictest/ },
  { args: init('--desync-mode', 'off'), says: /--desync-mode must be one of defensive, strictest/ },
  { args: asg('--instance-types', 't3.micro'), says: /--instance-types must be two to twenty instance types/ },
  { args: asg('--instance-types', 't3.micro,t3.micro'), says: /--instance-types must be two to twenty instance types/ },
  { args: init('--instance-types', 't3.micro,micro'), says: /--instance-types must be an instance type like t3.micro/ },
  // ports
  { args: tg('--port', '0'), says: /--port must be an integer from 1 to 65535/ },
  { args: tg('--port', '65536'), says: /--port must be an integer from 1 to 65535/ },
  { args: tg('--port', '-1'), says: /--port must be an integer/ },
  { args: tg('--port', 'http'), says: /--port must be an integer/ },
  { args: tg('--port', '80.5'), says: /--port must be an integer/ },
  { args: tg('--port', '1e3'), says: /--port must be an integer/ },
  // names
  { args: tg('--name', ''), says: /--name must be a target group name/ },
  { args: tg('--name', '-web'), says: /--name must be a target group name .*not starting or ending with a hyphen/ },
  { args: tg('--name', 'web-'), says: /--name must be a target group name/ },
  { args: tg('--name', 'x'.repeat(33)), says: /--name must be a target group name of 1-32/ },
  { args: tg('--name', 'web_tg'), says: /--name must be a target group name/ },
  { args: tg('--name', 'web.tg'), says: /--name must be a target group name/ },
  // protocol
  { args: tg('--protocol', 'FTP'), says: /--protocol must be one of HTTP, HTTPS/ },
  { args: tg('--protocol-version', 'HTTP3'), says: /--protocol-version must be one of HTTP1, HTTP2, GRPC/ },
  // health checks
  { args: tg('--health-path', 'status'), says: /--health-path must be a path starting with "\/"/ },
  { args: tg('--health-path', '/has space'), says: /--health-path must be a path/ },
  { args: tg('--health-interval', '4'), says: /--health-interval must be an integer from 5 to 300/ },
  { args: tg('--health-interval', '301'), says: /--health-interval must be an integer from 5 to 300/ },
  { args: tg('--health-interval', 'often'), says: /--health-interval must be an integer/ },
  { args: tg('--health-timeout', '1'), says: /--health-timeout must be an integer from 2 to 120/ },
  { args: tg('--health-timeout', '121'), says: /--health-timeout must be an integer from 2 to 120/ },
  { args: tg('--health-timeout', '10', '--health-interval', '10'), says: /--health-timeout must be less than the health check interval/ },
  { args: tg('--healthy-threshold', '1'), says: /--healthy-threshold must be an integer from 2 to 10/ },
  { args: tg('--healthy-threshold', '11'), says: /--healthy-threshold must be an integer from 2 to 10/ },
  { args: tg('--unhealthy-threshold', '0'), says: /--unhealthy-threshold must be an integer from 2 to 10/ },
  { args: tg('--matcher', '600'), says: /--matcher must be HTTP codes from 200 to 499/ },
  { args: tg('--matcher', 'ok'), says: /--matcher must be HTTP codes/ },
  { args: tg('--matcher', '300-200'), says: /--matcher must be HTTP codes/ },
  { args: tg('--matcher', '199'), says: /--matcher must be HTTP codes/ },
  // targets, VPC
  { args: tg('--register', 'i-xyz'), says: /--register must be instance ids like i-/ },
  { args: tg('--register', 'i-12345678:0'), says: /--register must be an integer from 1 to 65535/ },
  { args: tg('--register', ','), says: /--register must be a comma-separated list/ },
  { args: tg('--vpc', 'vpc-zz'), says: /--vpc must be an id like vpc-/ },
  { args: tg('--vpc', 'vpc-0123456789abcdef0'), says: /--vpc vpc-0123456789abcdef0 does not exist/ },
  // flags and commands that do not exist
  { args: tg('--bogus'), says: /unknown option '--bogus'/ },
  { args: tg('extra-argument'), says: /too many arguments/ },
  { args: ['deploy'], says: /unknown command 'deploy'/ },
  { args: ['destroy', '--force'], says: /unknown option '--force'/ },
  { args: tg('--port'), says: /option '--port <port>' argument missing/ },
  // stack names and global options
  { args: tg('--stack', ''), says: /--stack must be a stack name/ },
  { args: tg('--stack', '1web'), says: /--stack must be a stack name .*starting with a letter/ },
  { args: tg('--stack', 'web_app'), says: /--stack must be a stack name/ },
  { args: tg('--stack', 'a'.repeat(29)), says: /--stack must be a stack name of 1-28/ },
  { args: tg('--stack', 'web-'), says: /--stack must be a stack name/ },
  { args: tg('--stack', 'internal'), says: /--stack must be a stack name that does not start with "internal"/ },
  { args: tg('--stack', 'internal-web'), says: /--stack must be a stack name that does not start with "internal"/ },
  { args: tg(), env: { ALBCTL_STACK: 'bad_name' }, says: /ALBCTL_STACK must be a stack name/ },
  { args: tg('--region', 'nowhere'), says: /--region must be an AWS region like us-east-1/ },
  { args: tg('--endpoint-url', 'not a url'), says: /--endpoint-url must be an http:\/\/ or https:\/\/ URL/ },
  { args: tg('--endpoint-url', 'ftp://127.0.0.1'), says: /--endpoint-url must be an http:\/\/ or https:\/\/ URL/ },
  { args: tg(), env: { AWS_ENDPOINT_URL: 'localhost:5000' }, says: /AWS_ENDPOINT_URL must be an http:\/\/ or https:\/\/ URL/ },
  { args: tg('--state', ''), says: /--state must be a file path/ },
  // the wizard's flags are the same questions
  { args: ['init', '--yes', '--target-port', '0'], says: /--target-port must be an integer from 1 to 65535/ },
  { args: ['init', '--yes', '--health-path', 'x'], says: /--health-path must be a path/ },
  { args: ['init', '--yes', '--subnets', 'subnet-zz'], says: /--subnets must be an id like subnet-/ },
  { args: ['init', '--yes', '--target-group-name', '-x'], says: /--target-group-name must be a target group name/ },
  { args: ['init', '--sandbox', 'sometimes'], says: /--sandbox takes "always" or "auto"/ },
  { args: ['sandbox', '--yes', '--report', '/nonexistent-dir/report.html'], says: /--report must be a file in a writable directory \(got \/nonexistent-dir\/report\.html\)/ },
  { args: ['sandbox', '--yes', '--report', '.'], says: /--report must be a file in a writable directory \(got \.\)/ },
  { args: ['sandbox', '--yes', '--health-interval', '4'], says: /--health-interval must be an integer from 5 to 300/ },
  { args: ['init', '--yes', '--stack', 'internal'], says: /--stack must be a stack name/ },
  { args: ['init', '--yes', '--health-interval', '0'], says: /--health-interval must be an integer from 5 to 300/ },
  { args: ['status', '--bogus'], says: /unknown option '--bogus'/ },
  { args: ['destroy', 'everything'], says: /too many arguments/ },

  // ---- alb ----
  { args: alb('--name', 'internal-web'), says: /--name must be a load balancer name that does not start with "internal-"/ },
  { args: alb('--name', '-alb'), says: /--name must be a load balancer name of 1-32 letters, digits and hyphens/ },
  { args: alb('--name', 'a_b'), says: /--name must be a load balancer name of 1-32/ },
  { args: alb('--name', 'x'.repeat(33)), says: /--name must be a load balancer name of 1-32/ },
  { args: alb('--scheme', 'public'), says: /--scheme must be one of internet-facing, internal/ },
  { args: alb('--ip-type', 'dualstack'), says: /--ip-type must be one of ipv4/ },
  { args: alb('--security-groups', 'sg-zz'), says: /--security-groups must be an id like sg-0123456789abcdef0/ },
  { args: alb('--security-groups', sg), says: /--security-groups: sg-0123456789abcdef0: not every group exists/ },
  { args: alb('--listener-port', '0'), says: /--listener-port must be an integer from 1 to 65535/ },
  { args: alb('--listener-port', '70000'), says: /--listener-port must be an integer from 1 to 65535/ },
  { args: alb('--listener-port', '443'), says: /--listener-port 443 is the HTTPS listener's port: the HTTP and HTTPS listeners need different ports/ },
  { args: alb('--ssh-cidr', '10.0.0.5/24'), says: /--ssh-cidr must be a network address: 10\.0\.0\.5\/24 has host bits set \(did you mean 10\.0\.0\.0\/24/ },
  { args: alb('--ssh-cidr', 'nonsense'), says: /--ssh-cidr must be a CIDR like 203\.0\.113\.0\/24/ },
  { args: alb('--ssh-cidr', '10.0.0.0/33'), says: /--ssh-cidr must be a CIDR/ },
  { args: alb('--subnets', '{subnet-a}'), says: /--subnets must be in two or more availability zones \(got subnet-\w+ \(us-east-1a\)\)/ },
  { args: alb('--subnets', '{subnet-a},{subnet-a2}'), says: /--subnets: subnet-\w+ and subnet-\w+ are both in us-east-1a; a load balancer takes one subnet per availability zone/ },
  { args: alb('--subnets', 'subnet-0123456789abcdef0,subnet-0123456789abcdef1'), says: /--subnets: subnet-0123456789abcdef0 is not a subnet of vpc-/ },
  { args: alb('--vpc', 'vpc-0123456789abcdef0'), says: /--vpc vpc-0123456789abcdef0 does not exist/ },
  // ---- cert ----
  { args: cert('--days', '0'), says: /--days must be a whole number of days from 1 to 3650/ },
  { args: cert('--days', '-5'), says: /--days must be a whole number of days from 1 to 3650/ },
  { args: cert('--days', '3651'), says: /--days must be a whole number of days from 1 to 3650/ },
  { args: cert('--days', 'soon'), says: /--days must be a whole number of days/ },
  { args: cert('--bits', '1024'), says: /--bits must be 2048, 3072 or 4096/ },
  { args: cert('--bits', '8192'), says: /--bits must be 2048, 3072 or 4096/ },
  { args: cert('--bits', 'big'), says: /--bits must be 2048, 3072 or 4096/ },
  { args: cert('--cn', ''), says: /--cn must not be empty/ },
  { args: cert('--cn', 'x'.repeat(65)), says: /--cn must be at most 64 characters \(got 65\)/ },
  { args: cert('--san', 'bad..name'), says: /--san: "bad\.\.name" is not a valid DNS name or IP address/ },
  { args: cert('--san', '-x.example.com'), says: /--san: "-x\.example\.com" is not a valid DNS name/ },
  { args: cert('--name', 'has space'), says: /--name may contain only letters, digits and _\+=,\.@-/ },
  { args: cert('--name', 'n'.repeat(129)), says: /--name must be 1 to 128 characters/ },
  { args: cert('--out', ''), says: /--out must name a directory/ },
  { args: cert('--out', 'taken/cert'), files: { taken: 'a file, not a directory' }, says: /--out .*taken\/cert: .*taken is not a directory/ },
  // ---- https ----
  { args: https('--port', '0'), says: /--port must be an integer from 1 to 65535/ },
  { args: https('--port', 'https'), says: /--port must be an integer from 1 to 65535/ },
  { args: https('--port', '80'), says: /--port 80 is the HTTP listener's port: the HTTP and HTTPS listeners need different ports/ },
  { args: https('--certificate', 'arn:aws:iam::1:server-certificate/x'), says: /--certificate must be an IAM server certificate ARN/ },
  { args: https('--certificate', 'no such name!'), says: /--certificate may contain only letters, digits/ },
  // Files before prerequisites: the state has no load balancer, and that is not what is said.
  { args: https('--certificate', './nope.crt'), says: /^albctl: --certificate: cannot read .*nope\.crt: no such file$/ },
  { args: https('--certificate', 'alone.crt'), files: { 'alone.crt': CERTIFICATE_WITHOUT_KEY }, says: /^albctl: --certificate: no readable private\.pem next to/ },
  { args: https('--ssl-policy', 'Bad Policy'), says: /--ssl-policy must be an ELB security policy name like ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09/ },
  // ---- sticky ----
  { args: sticky('--duration', '0'), says: new RegExp(`--duration ${stickyRange.source}`) },
  { args: sticky('--duration', '8d'), says: new RegExp(`--duration ${stickyRange.source} \\(got "8d"\\)`) },
  { args: sticky('--duration', '604801'), says: new RegExp(`--duration ${stickyRange.source}`) },
  { args: sticky('--duration', 'forever'), says: new RegExp(`--duration ${stickyRange.source}`) },
  { args: sticky('--duration', '-1s'), says: new RegExp(`--duration ${stickyRange.source}`) },
  { args: sticky('--duration', '1.5h'), says: new RegExp(`--duration ${stickyRange.source}`) },
  { args: sticky('--duration', '1d', '--disable'), says: /--duration and --disable contradict each other/ },
  // ---- launch-template ----
  { args: lt('--name', 'ab'), says: /--name must be a launch template name of 3-128 letters, digits and \( \) \. - \/ _/ },
  { args: lt('--name', 'bad name'), says: /--name must be a launch template name/ },
  { args: lt('--ami', 'ami-zz'), says: /--ami must be an AMI id like ami-0123456789abcdef0, or latest/ },
  { args: lt('--instance-type', 'huge'), says: /--instance-type must be an instance type like t3\.micro/ },
  // The checks run together: whichever answers first is the line (each names its flag).
  { args: lt('--instance-type', 'z9.mega', '--security-groups', sg), says: /--instance-type z9\.mega is not offered in this region|--security-groups: sg-0123456789abcdef0: InvalidGroup\.NotFound/ },
  { args: lt('--key-name', 'no-such-key', '--security-groups', sg), says: /--key-name no-such-key: no such key pair in this region|--security-groups: sg-0123456789abcdef0: InvalidGroup\.NotFound/ },
  { args: lt('--security-groups', 'sg-zz'), says: /--security-groups must be an id like sg-/ },
  { args: lt('--security-groups', sg), says: /--security-groups: sg-0123456789abcdef0: InvalidGroup\.NotFound \(no such security group here\)/ },
  { args: lt('--security-groups', sg, '--user-data', 'missing.sh'), says: /--user-data: cannot read .*missing\.sh: no such file/ },
  { args: lt('--security-groups', sg, '--user-data', 'empty.sh'), files: { 'empty.sh': '' }, says: /--user-data: .*empty\.sh is empty/ },
  { args: lt('--security-groups', sg, '--user-data', 'big.sh'), files: { 'big.sh': '#!/bin/sh\n' + 'x'.repeat(17_000) }, says: /--user-data: the user data is \d+ bytes; EC2 allows at most 16384 bytes/ },
  { args: lt('--print-user-data', '--user-data', 'missing.sh'), says: /--user-data: cannot read .*missing\.sh/ },
  // A file flag is read before the prerequisites: not "run `albctl alb` first" (no web group, no --security-groups).
  { args: lt('--user-data', 'missing.sh'), says: /^albctl: --user-data: cannot read .*missing\.sh: no such file$/ },
  { args: lt('--tags', 'aws:x=1'), says: /--tags must be tags like key=value,key2=value2 \(keys 1-128 characters, not starting with aws:\)/ },
  { args: lt('--tags', '=v'), says: /--tags must be tags like key=value/ },
  { args: lt('--volume-size', '0'), says: /--volume-size must be an integer from 1 to 16384/ },
  { args: lt('--volume-size', '20000'), says: /--volume-size must be an integer from 1 to 16384/ },
  { args: lt('--ssh-cidr', '300.0.0.0/8'), says: /--ssh-cidr must be a CIDR/ },
  // ---- asg ----
  { args: asg('--min', '5', '--max', '2'), says: /--min must not be greater than --max \(got --min 5, --max 2\)/ },
  { args: asg('--min', '0', '--max', '2', '--desired', '3'), says: /--desired must be between --min 0 and --max 2 \(got 3\)/ },
  { args: asg('--min', '2', '--max', '4', '--desired', '1'), says: /--desired must be between --min 2 and --max 4 \(got 1\)/ },
  { args: asg('--min', '-1'), says: /--min must be an integer from 0 to 1000/ },
  { args: asg('--max', '1001'), says: /--max must be an integer from 0 to 1000/ },
  { args: asg('--desired', 'many'), says: /--desired must be an integer from 0 to 1000/ },
  { args: asg('--policy', 'memory:50'), says: new RegExp(`--policy ${policy.source}`) },
  { args: asg('--policy', 'cpu:0'), says: new RegExp(`--policy ${policy.source}`) },
  { args: asg('--policy', 'cpu:101'), says: new RegExp(`--policy ${policy.source}`) },
  { args: asg('--policy', 'request-count:0'), says: new RegExp(`--policy ${policy.source}`) },
  { args: asg('--policy', 'request-count:2000000'), says: new RegExp(`--policy ${policy.source}`) },
  { args: asg('--policy', 'cpu'), says: new RegExp(`--policy ${policy.source}`) },
  { args: asg('--launch-template-version', '0'), says: /--launch-template-version must be \$Default, \$Latest or a version number/ },
  { args: asg('--launch-template-version', '$Newest'), says: /--launch-template-version must be \$Default, \$Latest or a version number/ },
  { args: asg('--grace-period', '3h'), says: /--grace-period must be a duration from 0s to 2h/ },
  { args: asg('--grace-period', 'soon'), says: /--grace-period must be a duration from 0s to 2h/ },
  { args: asg('--notify-topic', 'arn:aws:sqs:us-east-1:123456789012:q'), says: /--notify-topic must be an SNS topic ARN like arn:aws:sns:/ },
  { args: asg('--name', 'bad name'), says: /--name must be a group name of 1-255 letters, digits and - _ \./ },
  { args: asg('--tags', 'aws:k=v'), says: /--tags must be tags like key=value/ },
  { args: asg('--subnets', 'subnet-zz'), says: /--subnets must be an id like subnet-/ },
  // ---- instances ----
  { args: instances('--count', '-1'), says: /--count must be an integer from 0 to 50/ },
  { args: instances('--count', '51'), says: /--count must be an integer from 0 to 50/ },
  { args: instances('--count', 'two'), says: /--count must be an integer from 0 to 50/ },
  { args: instances('--vpc', 'vpc-1'), says: /--vpc must be an id like vpc-/ },
  // ---- loadtest ----
  { args: ['loadtest', 'not a url'], says: /url must be an http:\/\/ or https:\/\/ URL \(got "not a url"\)/ },
  { args: ['loadtest', 'ftp://example.com/'], says: /url must be an http:\/\/ or https:\/\/ URL/ },
  { args: ['loadtest', 'example.com'], says: /url must be an http:\/\/ or https:\/\/ URL/ },
  { args: ['loadtest', 'http://user:pw@example.com/'], says: /url must not carry credentials/ },
  { args: ['loadtest'], says: /loadtest needs a URL: stack albctl has no load balancer in \.albctl\/albctl\.json/ },
  { args: loadtest('-c', '0'), says: /--connections must be an integer between 1 and 10000/ },
  { args: loadtest('-c', '-5'), says: /--connections must be an integer between 1 and 10000/ },
  { args: loadtest('-c', '100000'), says: /--connections must be an integer between 1 and 10000/ },
  { args: loadtest('-d', '0'), says: /--duration must be a duration between 100ms and 24h/ },
  { args: loadtest('-d', '100d'), says: /--duration must be a duration between 100ms and 24h/ },
  { args: loadtest('-d', 'soon'), says: /--duration must be a duration between 100ms and 24h/ },
  { args: loadtest('-n', '0'), says: /--requests must be an integer between 1 and 1000000000/ },
  { args: loadtest('-n', '1e99'), says: /--requests must be an integer between 1 and 1000000000/ },
  { args: loadtest('-r', '0'), says: /--rate must be a number between 0\.1 and 10000000 requests per second/ },
  { args: loadtest('-r', '-3'), says: /--rate must be a number between 0\.1 and 10000000/ },
  { args: loadtest('-r', '1e12'), says: /--rate must be a number between 0\.1 and 10000000/ },
  { args: loadtest('--workers', '0'), says: /--workers must be an integer between 1 and 64/ },
  { args: loadtest('--workers', '65'), says: /--workers must be an integer between 1 and 64/ },
  { args: loadtest('-c', '2', '--workers', '4'), says: /--workers must not exceed --connections/ },
  { args: loadtest('--timeout', '0'), says: /--timeout must be a duration between 10ms and 1h/ },
  { args: loadtest('--warmup', '2h'), says: /--warmup must be a duration between 0s and 1h/ },
  { args: loadtest('-m', 'GE T'), says: /--method must be an HTTP method such as GET/ },
  { args: loadtest('-m', 'CONNECT'), says: /--method must be an HTTP method other than CONNECT/ },
  { args: loadtest('-H', 'NoColon'), says: /--header must be "Name: value"/ },
  { args: loadtest('--count-header', 'bad header'), says: /--count-header must be a header name such as x-served-by/ },
  { args: loadtest('--report', '/nonexistent/dir/r.html'), says: /--report \/nonexistent\/dir\/r\.html: cannot write into \/nonexistent\/dir/ },
  { args: loadtest('--ca', 'missing.pem'), says: /--ca missing\.pem cannot be read \(ENOENT\)/ },
  { args: ['loadtest', 'https://127.0.0.1:9/', '--ca', 'missing.pem'], says: /--ca missing\.pem cannot be read \(ENOENT\)/ },
  { args: ['loadtest', 'https://127.0.0.1:9/', '--ca', 'bad.pem'], files: { 'bad.pem': 'garbage' }, says: /--ca bad\.pem is not a PEM certificate/ },
  { args: loadtest('--ca', 'x.pem', '--insecure'), says: /--ca and --insecure cannot be used together/ },
  { args: loadtest('--assert', 'p99 < fast'), says: /--assert "p99 < fast": not a threshold/ },
  { args: loadtest('--assert', 'latency < 300ms'), says: /--assert "latency < 300ms": unknown metric "latency"/ },
  { args: loadtest('--assert', 'rps >= 500ms'), says: /--assert "rps >= 500ms": rps takes no unit ms/ },
  { args: loadtest('--assert', 'p99 < +10%'), says: /--assert "p99 < \+10%": a change in % needs a baseline: pass --compare/ },
  { args: loadtest('--compare', 'missing.json'), says: /--compare missing\.json cannot be read \(ENOENT\)/ },
  { args: loadtest('--compare', 'bad.json'), files: { 'bad.json': '{"not": "a run"}' }, says: /--compare bad\.json must be a previous run's loadtest --json document/ },
  { args: loadtest('--compare', 'text.json'), files: { 'text.json': 'hello' }, says: /--compare text\.json must be a previous run's loadtest --json document \(it is not JSON\)/ },
  { args: loadtest('--connect-to', 'alb:443:127.0.0.1'), says: /--connect-to must be HOST:PORT:ADDR:PORT2/ },
  { args: loadtest('--abort-on-fail', '--assert', 'p99 < 1s'), says: /--abort-on-fail needs an error threshold/ },
  // ---- init: the same questions under their init flags; checks against AWS before anything changes ----
  { args: init('--subnets', '{subnet-a}'), says: /--subnets must be in two or more availability zones/ },
  { args: init('--subnets', '{subnet-a},{subnet-a}'), says: /--subnets must be in two or more availability zones/ },
  { args: init('--asg-subnets', '{subnet-b}'), says: /--asg-subnets must be in two or more availability zones/ },
  { args: init('--asg-subnets', 'subnet-0123456789abcdef0,{subnet-a}'), says: /--asg-subnets: subnet-0123456789abcdef0 is not a subnet of vpc-/ },
  { args: init('--alb-security-groups', sg), says: /--alb-security-groups: sg-0123456789abcdef0: not every group exists/ },
  { args: init('--instance-security-groups', sg), says: /--instance-security-groups: sg-0123456789abcdef0: InvalidGroup\.NotFound/ },
  { args: init('--min-size', '3', '--max-size', '1'), says: /--min-size must not be greater than --max-size/ },
  { args: init('--desired-capacity', '9'), says: /--desired-capacity must be between --min-size 0 and --max-size 4 \(got 9\)/ },
  { args: init('--sticky-duration', '8d'), says: new RegExp(`--sticky-duration ${stickyRange.source}`) },
  { args: init('--cert-bits', '1000'), says: /--cert-bits must be 2048, 3072 or 4096/ },
  { args: init('--cert-days', '0'), says: /--cert-days must be a whole number of days from 1 to 3650/ },
  { args: init('--cert-out', 'taken'), files: { taken: 'a file' }, says: /--cert-out .*taken: .*taken is not a directory/ },
  { args: init('--instances', '99'), says: /--instances must be an integer from 0 to 50/ },
  { args: init('--scaling-policy', 'disk:5'), says: new RegExp(`--scaling-policy ${policy.source}`) },
  { args: init('--user-data', 'nope.sh'), says: /--user-data: cannot read .*nope\.sh: no such file/ },
  { args: init('--https-port', '80'), says: /--https-port 80 is the HTTP listener's port/ },
  { args: init('--certificate', './nope.crt'), says: /--certificate: cannot read .*nope\.crt: no such file/ },
  { args: init('--certificate', 'bad.crt'), files: { 'bad.crt': 'hello' }, says: /--certificate: .*bad\.crt is not a PEM certificate/ },
  { args: init('--certificate', 'alone.crt'), files: { 'alone.crt': CERTIFICATE_WITHOUT_KEY }, says: /--certificate: .*private\.pem/ },
  { args: init('--ssl-policy', 'ELBSecurityPolicy-Nope'), says: /--ssl-policy ELBSecurityPolicy-Nope is not an ELB security policy in this region/ },
  { args: init('--alb-name', 'internal-x'), says: /--alb-name must be a load balancer name that does not start with "internal-"/ },
  { args: init('--listener-port', '65536'), says: /--listener-port must be an integer from 1 to 65535/ },
  { args: init('--health-timeout', '10', '--health-interval', '10'), says: /--health-timeout must be less than the health check interval/ },
  { args: init('--launch-template-name', 'x'), says: /--launch-template-name must be a launch template name of 3-128/ },
  { args: init('--instance-type', 'z9.mega'), says: /--instance-type z9\.mega is not offered in this region/ },
  { args: init('--key-name', 'no-such-key'), says: /--key-name no-such-key: no such key pair in this region/ },
  { args: init('--target-port', '8080.0'), says: port },
  // ---- other commands ----
  { args: ['status', '--stack', '-x'], says: /--stack must be a stack name/ },
  { args: ['destroy', '--yes', '--stack', 'bad_name'], says: /--stack must be a stack name/ },
  { args: ['sticky', '--bogus'], says: /unknown option '--bogus'/ },
  { args: ['instances', 'extra'], says: /too many arguments for 'instances'/ },
  { args: ['cert', '--upload', 'now'], says: /too many arguments for 'cert'/ },
  { args: ['https', '--port'], says: /option '--port <port>' argument missing/ },
];
