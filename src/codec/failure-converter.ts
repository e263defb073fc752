/**
 * Loaded by path in the workflow sandbox and in the worker and clients (DataConverter.failureConverterPath):
 * failure messages and stack traces move into the encoded attributes, which go through the payload codec,
 * so an error text that names a spec value is as unreadable in history as the payloads.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
