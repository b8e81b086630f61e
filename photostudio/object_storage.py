"""The settings of object storage (MEDIA_STORAGE=s3), worked out from the environment's values.
Imports nothing of Django: photostudio/settings.py uses it (and the tests, to point storages at
their own server)."""

from urllib.parse import urlsplit


def s3_storages(
    *,
    bucket: str,
    public_bucket: str,
    public_prefix: str = "public",
    public_domain: str | None = None,
    endpoint_url: str | None = None,
    region: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    addressing_style: str | None = None,
    max_memory_size: int = 2 * 1024 * 1024,
) -> dict:
    """The STORAGES entries for files in object storage: "private" in `bucket`; "renditions"
    (thumbnails) and "default" (the session types' example photos) under `public_prefix` in
    `public_bucket`, at plain addresses (of `public_domain`, a CDN, when given)."""
    from boto3.s3.transfer import TransferConfig

    shared = {
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
    public = {
        **shared,
        "bucket_name": public_bucket,
        "location": public_prefix.strip("/"),
        "querystring_auth": False,
        "custom_domain": public_domain,
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    return {
        "default": {"BACKEND": "photostudio.storage.PublicS3Storage", "OPTIONS": {**public, "file_overwrite": False}},
        "private": {
            "BACKEND": "photostudio.storage.PrivateS3Storage",
            "OPTIONS": {**shared, "bucket_name": bucket, "file_overwrite": False},
        },
        # A rendition's name carries a digest of its content: the same name is the same file.
        "renditions": {"BACKEND": "photostudio.storage.PublicS3Storage", "OPTIONS": {**public, "file_overwrite": True}},
    }


def s3_origins(
    *,
    bucket: str,
    public_bucket: str,
    public_domain: str | None = None,
    endpoint_url: str | None = None,
    region: str | None = None,
    addressing_style: str | None = None,
) -> list[str]:
    """The origins pages load files from (for the Content-Security-Policy): the private bucket's,
    where presigned addresses point, and the public files' (the bucket's or `public_domain`)."""
    where = {"endpoint_url": endpoint_url, "region": region, "addressing_style": addressing_style}
    public = f"https://{public_domain}" if public_domain else origin_of(bucket=public_bucket, **where)
    return sorted({origin_of(bucket=bucket, **where), public})


def origin_of(*, bucket: str, endpoint_url: str | None, region: str | None, addressing_style: str | None) -> str:
    """The scheme and host at which the bucket's objects are addressed, as boto3 itself builds the
    address (virtual-hosted or path style, region, endpoint). Works it out without a request:
    signing an address happens on this machine."""
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
