import type { ProcessorFamily } from '../../src/processes/types.js';
import { clipVectorProcess } from './clip-vector.js';

const vector: ProcessorFamily = { name: 'vector', processes: [clipVectorProcess] };
export default vector;
