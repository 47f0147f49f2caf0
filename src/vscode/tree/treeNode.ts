/** Every kind of node in the environments tree. Its own file, so that nodes.ts and buildCacheNodes.ts need not import each other. */
import type { BuildCacheNode, BuildCacheTypeNode } from './buildCacheNodes';
import type { EnvironmentNode, GroupNode, ImageNode, MessageNode } from './nodes';

export type Node = EnvironmentNode | GroupNode | ImageNode | MessageNode | BuildCacheNode | BuildCacheTypeNode;
