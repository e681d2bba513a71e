/**
 * The topic engine contract, run on the in-process engine.
 *
 * @module
 */

import { memoryEngine } from "../../server/mod.ts";
import { engineContractSuite } from "./_engine_suite.ts";

engineContractSuite("memory", {
  make() {
    return Promise.resolve({
      engine: memoryEngine(),
      // The streams live in the process: losing them is the process restarting,
      // and the restarted process has a new engine, with a new epoch.
      lose: () => Promise.resolve(memoryEngine()),
      close: () => Promise.resolve(),
    });
  },
  // One process's memory: no second process can share it.
  peers: false,
});
