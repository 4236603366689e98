/** Same inputs and output as pygeoapi's hello-world, so operators can smoke-test with known requests. */
import type { Process } from '../../src/processes/types.js';

export const helloWorld: Process = {
  description: {
    id: 'hello-world',
    version: '0.2.0',
    title: 'Hello World',
    description: 'An example process that takes a name as input, and echoes it back as output. Intended to demonstrate a simple process with a single literal input.',
    keywords: ['hello world', 'example', 'echo'],
    jobControlOptions: ['sync-execute', 'async-execute', 'dismiss'],
    inputs: {
      name: {
        title: 'Name',
        description: 'The name of the person or entity that you wish to be echoed back as an output',
        schema: { type: 'string' },
        minOccurs: 1,
        maxOccurs: 1,
        keywords: ['full name', 'personal'],
      },
      message: {
        title: 'Message',
        description: 'An optional message to echo as well',
        schema: { type: 'string' },
        minOccurs: 0,
        maxOccurs: 1,
        keywords: ['message'],
      },
    },
    outputs: {
      echo: {
        title: 'Hello, world',
        description: 'A "hello world" echo with the name and (optional) message submitted for processing',
        schema: { type: 'object', contentMediaType: 'application/json' },
      },
    },
  },
  async execute(inputs) {
    const message = typeof inputs.message === 'string' ? inputs.message : '';
    // pygeoapi: f'Hello {name}! {message}'.strip()
    return { outputs: { echo: `Hello ${inputs.name}! ${message}`.trim() } };
  },
};
