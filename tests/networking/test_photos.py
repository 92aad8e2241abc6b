"""Profile photos: checked by content (not by name), limited in size, resized on the
server and stripped of hidden data; a refused upload changes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from networking.forms import VISIBILITY_FIELDS
from networking.images import MAX_SIDE, PhotoError, process_photo
from networking.models import NetworkingProfile
from tests.networking.conftest import set_profile


def image_file(fmt="JPEG", size=(800, 600), name=None, exif=None, mode="RGB") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new(mode, size, (30, 90, 150) if mode == "RGB" else (30, 90, 150, 128))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **kwargs)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp"}[fmt]
    return SimpleUploadedFile(name or f"me.{extension}", buffer.getvalue())


def post_photo(client, upload, **extra):
    data = {
        **({"photo": upload} if upload is not None else {}),
        **dict.fromkeys(VISIBILITY_FIELDS, "event"),
        **extra,
    }
    return client.post(reverse("networking:profile_edit"), data)


def stored(user) -> Image.Image | None:
    profile = NetworkingProfile.objects.get(user=user)
    if not profile.photo:
        return None
    with profile.photo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


def test_a_big_photo_is_resized_on_the_server(client, event, ana):
    client.force_login(ana)
    response = post_photo(client, image_file(size=(3000, 2000)))
    assert response.status_code == 302
    image = stored(ana)
    assert image.format == "JPEG"
    assert max(image.size) == MAX_SIDE and image.size == (512, 341)
    profile = NetworkingProfile.objects.get(user=ana)
    assert profile.photo.name.startswith("photos/") and profile.photo.name.endswith(".jpg")


def test_a_text_file_named_jpg_is_refused_and_nothing_changes(client, event, ana):
    set_profile(ana, headline="Before")
    client.force_login(ana)
    fake = SimpleUploadedFile(
        "me.jpg", b"I am not a picture at all\n" * 20, content_type="image/jpeg"
    )
    response = post_photo(client, fake, headline="After")
    assert response.status_code == 200
    assert "not a JPEG, PNG or WebP image" in response.content.decode()
    profile = NetworkingProfile.objects.get(user=ana)
    assert not profile.photo and profile.headline == "Before"


@pytest.mark.parametrize("fmt", ["GIF", "BMP"])
def test_other_image_types_are_refused_whatever_their_name(client, event, ana, fmt):
    client.force_login(ana)
    response = post_photo(client, image_file(fmt, name="innocent.png"))
    assert "not a JPEG, PNG or WebP image" in response.content.decode()
    assert stored(ana) is None


def test_a_file_over_5_mb_is_refused(client, event, ana):
    client.force_login(ana)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024))
    response = post_photo(client, big)
    assert "too large" in response.content.decode() and "5 MB" in response.content.decode()
    assert stored(ana) is None


@pytest.mark.parametrize("fmt,mode", [("PNG", "RGBA"), ("WEBP", "RGB")])
def test_png_and_webp_keep_their_type(client, event, ana, fmt, mode):
    client.force_login(ana)
    assert post_photo(client, image_file(fmt, size=(600, 600), mode=mode)).status_code == 302
    image = stored(ana)
    assert image.format == fmt and image.size == (512, 512)


def test_location_and_camera_data_are_removed():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {2: (40.0, 26.0, 46.0)}  # GPS latitude
    processed = process_photo(image_file(exif=exif.tobytes()))
    image = Image.open(io.BytesIO(processed.content))
    assert not image.getexif()
    assert b"PhoneMaker" not in processed.content


def test_a_truncated_image_is_refused():
    whole = image_file(size=(400, 400)).read()
    with pytest.raises(PhotoError):
        process_photo(io.BytesIO(whole[: len(whole) // 2]))


def test_replacing_and_removing_a_photo_deletes_the_old_file(
    client, event, ana, django_capture_on_commit_callbacks
):
    client.force_login(ana)
    with django_capture_on_commit_callbacks(execute=True):
        post_photo(client, image_file())
    first = NetworkingProfile.objects.get(user=ana).photo
    storage, first_name = first.storage, first.name
    with django_capture_on_commit_callbacks(execute=True):
        post_photo(client, image_file("PNG"))
    assert not storage.exists(first_name)
    second = NetworkingProfile.objects.get(user=ana).photo.name
    with django_capture_on_commit_callbacks(execute=True):
        response = post_photo(client, None, remove_photo="on")
    assert response.status_code == 302
    assert not NetworkingProfile.objects.get(user=ana).photo
    assert not storage.exists(second)
