// Where the state lives, from --state / ALBCTL_STATE: checked before anything runs.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { folderOf, formatLocation, locationOf, stateLocation } from '../../../src/state/location.js';

describe('state location', () => {
  it('defaults to .albctl/<stack>.json; a path is taken as it is; a folder ends with /', () => {
    expect(stateLocation(undefined, 'web')).toEqual({ kind: 'file', path: '.albctl/web.json' });
    expect(stateLocation('ops/state.json', 'web')).toEqual({ kind: 'file', path: 'ops/state.json' });
    expect(stateLocation('ops/', 'web')).toEqual({ kind: 'file', path: 'ops/web.json' });
  });

  it('an s3:// URL names an object, or a prefix (or the bucket) that <stack>.json goes into', () => {
    expect(stateLocation('s3://team-state/albctl/web.json', 'x')).toEqual({ kind: 's3', bucket: 'team-state', key: 'albctl/web.json' });
    expect(stateLocation('s3://team-state/albctl/', 'web')).toEqual({ kind: 's3', bucket: 'team-state', key: 'albctl/web.json' });
    expect(stateLocation('s3://team.state.example', 'web')).toEqual({ kind: 's3', bucket: 'team.state.example', key: 'web.json' });
    expect(formatLocation(stateLocation('s3://team-state/a/', 'web'))).toBe('s3://team-state/a/web.json');
  });

  it('refuses what S3 would refuse, naming the flag or variable', () => {
    const refused = (raw: string, flag = '--state') => {
      try {
        stateLocation(raw, 'web', flag);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error(`accepted ${raw}`);
    };
    expect(refused('s3://a'.padEnd(70, 'b'))).toMatch(/3-63 characters/);
    expect(refused('s3://-team/')).toMatch(/starting and ending with a letter or digit/);
    expect(refused('s3://team-.state/')).toMatch(/no dot next to a hyphen/);
    expect(refused('s3://team-state--ol-s3/')).toMatch(/reserves/);
    expect(refused('s3://team-state/' + 'k/'.repeat(501))).toMatch(/at most 1000 bytes/);
    expect(refused('s3://team-state/a\\b.json')).toMatch(/backslash/);
    expect(refused('gs://team-state/a.json', 'ALBCTL_STATE')).toBe('ALBCTL_STATE must be a file path or an s3://bucket/key.json URL (got "gs://team-state/a.json")');
    expect(refused('   ')).toMatch(/^--state must be a file path/);
  });

  it('the folder of a location is what `list` reads', () => {
    expect(folderOf(locationOf('.albctl/web.json'))).toEqual({ kind: 'file', path: '.albctl' });
    expect(folderOf(locationOf('s3://team-state/albctl/web.json'))).toEqual({ kind: 's3', bucket: 'team-state', key: 'albctl/' });
    expect(folderOf(locationOf('s3://team-state/web.json'))).toEqual({ kind: 's3', bucket: 'team-state', key: '' });
  });
});
