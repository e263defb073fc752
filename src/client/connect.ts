import { Client, Connection } from '@temporalio/client';
import type { DataConverter, Duration } from '@temporalio/common';
import type { OnrampConfig } from '../config';
import { temporalConnectionOptions } from '../temporal/connection-settings';
import { dataConverterFor } from '../temporal/data-converter';

/**
 * A Temporal client for onramp's workflows, with the same data converter as the worker (by default the
 * codec of the configured keys): without it, it could neither write inputs the worker reads nor read
 * statuses and results. It connects as configured (address, TLS, client certificate, API key: see
 * src/temporal/connection-settings.ts). Close it with `client.connection.close()`.
 */
export async function connectOnrampClient(
  config: OnrampConfig,
  dataConverter: DataConverter = dataConverterFor(config.codec),
  options: { connectTimeout?: Duration } = {},
): Promise<Client> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(config.temporal), ...options });
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter });
}
