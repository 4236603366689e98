import type { ProcessorFamily } from '../../src/processes/types.js';
import { helloWorld } from './hello-world.js';
import { sleep } from './sleep.js';

const core: ProcessorFamily = { name: 'core', processes: [helloWorld, sleep] };
export default core;
