"""The settings of object storage (MEDIA_STORAGE=s3), worked out from the environment's values.
Imports nothing of Django: photostudio/settings.py uses it."""

from urllib.parse import urlsplit


def storage_options(
    *,
    bucket: str,
    endpoint_url: str | None,
    region: str | None,
    access_key: str | None,
    secret_key: str | None,
    addressing_style: str | None,
    max_memory_size: int,
) -> dict:
    """What every storage on the bucket shares (django-storages' S3Storage options)."""
    from boto3.s3.transfer import TransferConfig

    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url,
        "region_name": region,
        "access_key": access_key,  # None: boto3's own search (AWS_* variables, an instance's role)
        "secret_key": secret_key,
        "addressing_style": addressing_style,
        "signature_version": "s3v4",
        "default_acl": None,  # the buckets' policies say who reads what, not per-object ACLs
        # A file read from the bucket (an original, by a worker) goes to a temporary file past this
        # size instead of staying in memory.
        "max_memory_size": max_memory_size,
        # One part in memory at a time, uploaded in turn: a 50 MB original never sits whole in
        # memory, in the web server or a worker.
        "transfer_config": TransferConfig(
            multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024, use_threads=False
        ),
    }


def origin_of(*, bucket: str, endpoint_url: str | None, region: str | None, addressing_style: str | None) -> str:
    """The scheme and host at which the bucket's objects are addressed (for the Content-Security-
    Policy), as boto3 itself builds the address: virtual-hosted or path style, region, endpoint.
    Works it out without a request: signing an address happens on this machine."""
    import boto3
    from botocore.config import Config

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="origin",
        aws_secret_access_key="origin",
        config=Config(signature_version="s3v4", s3={"addressing_style": addressing_style or "auto"}),
    )
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "origin"}, ExpiresIn=60)
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
