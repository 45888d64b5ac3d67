import { ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";
import { experimentParamsSchema, type ExperimentDetail, type ExperimentParamsInput } from "@/lib/wire";
import type { ExperimentService } from "../service";

/** Starts an experiment as the API would (params parsed by the wire schema) and waits for its end. */
export async function runExperiment(service: ExperimentService, input: ExperimentParamsInput): Promise<ExperimentDetail> {
  const id = await service.create(experimentParamsSchema.parse(input));
  await service.settled(id);
  return service.detail(id);
}

/** Versions and delete markers under a prefix, straight from ListObjectVersions. */
export async function historyUnder(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  const res = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
  return (res.Versions?.length ?? 0) + (res.DeleteMarkers?.length ?? 0);
}
