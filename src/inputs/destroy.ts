// `albctl destroy`'s own switch, a question so the certificate files step reads it like any input.
import { parseSwitch, question } from './question.js';

export const keepFiles = question({
  key: 'keepFiles',
  flag: 'keep-files',
  description: 'keep the certificate files albctl wrote',
  parse: parseSwitch,
  default: () => false,
  persist: false,
});
