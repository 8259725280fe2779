import { Testing } from "cdktf";

// Registers toHaveResource, toHaveResourceWithProperties, ... on the global expect.
Testing.setupJest();
