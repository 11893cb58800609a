// The corpus of bad inputs: each names what the error line must say (the flag and what is allowed).
export interface BadInput {
  args: string[];
  says: RegExp;
  env?: Record<string, string>;
  /** Default 2. */
  exit?: number;
}

const tg = (...args: string[]) => ['target-group', ...args];

export const badInputs: BadInput[] = [
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
  { args: ['init', '--yes', '--stack', 'internal'], says: /--stack must be a stack name/ },
  { args: ['init', '--yes', '--health-interval', '0'], says: /--health-interval must be an integer from 5 to 300/ },
  { args: ['status', '--bogus'], says: /unknown option '--bogus'/ },
  { args: ['destroy', 'everything'], says: /too many arguments/ },
];
