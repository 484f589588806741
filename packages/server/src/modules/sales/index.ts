import { account, contact, lead, opportunity } from './objects.ts';

export const salesObjects = [account, contact, lead, opportunity];
