"""The MediaServer test utility itself: other suites rely on its HTTP behaviour."""

from __future__ import annotations

from pathlib import Path

import httpx
from utils.http_server import MediaServer


def test_serves_files_with_validators_and_ranges(media_server: MediaServer, media_dir: Path) -> None:
    data = (media_dir / "image_blue.png").read_bytes()
    with httpx.Client(timeout=5) as client:
        before = media_server.hits["/image_blue.png"]
        resp = client.get(media_server.url("/image_blue.png"))
        assert resp.status_code == 200 and resp.content == data
        assert resp.headers["content-type"] == "image/png"
        assert resp.headers["content-length"] == str(len(data))
        etag, modified = resp.headers["etag"], resp.headers["last-modified"]

        assert client.get(media_server.url("/image_blue.png"), headers={"If-None-Match": etag}).status_code == 304
        assert client.get(media_server.url("/image_blue.png"),
                          headers={"If-Modified-Since": modified}).status_code == 304

        part = client.get(media_server.url("/image_blue.png"), headers={"Range": "bytes=10-19"})
        assert part.status_code == 206 and part.content == data[10:20]
        assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
        tail = client.get(media_server.url("/image_blue.png"), headers={"Range": "bytes=-5"})
        assert tail.content == data[-5:]
        bad = client.get(media_server.url("/image_blue.png"), headers={"Range": f"bytes={len(data)}-"})
        assert bad.status_code == 416
        assert media_server.hits["/image_blue.png"] == before + 6

        assert client.get(media_server.url_as("localhost", "/image_blue.png")).content == data
        assert client.get(media_server.url("/../etc/passwd")).status_code == 404
        assert client.get(media_server.url("/status/418")).status_code == 418
        redirect = client.get(media_server.url("/redirect?to=/image_blue.png"))
        assert redirect.status_code == 302 and redirect.headers["location"] == "/image_blue.png"
        chained = client.get(media_server.url("/redirects/2/image_blue.png"), follow_redirects=True)
        assert chained.content == data and len(chained.history) == 2
        assert client.get(media_server.url("/big/1234")).content == bytes(1234)
        assert client.get(media_server.url("/html-error")).headers["content-type"].startswith("text/html")


def test_endless_streams_and_custom_routes(tmp_path: Path) -> None:
    def teapot(handler: object) -> None:
        from http.server import BaseHTTPRequestHandler

        assert isinstance(handler, BaseHTTPRequestHandler)
        handler.send_response(200)
        handler.send_header("Content-Length", "3")
        handler.end_headers()
        handler.wfile.write(b"tea")

    with MediaServer(tmp_path) as server:
        server.add_route("/tea", teapot)
        with httpx.Client(timeout=5) as client:
            assert client.get(server.url("/tea")).content == b"tea"
            with client.stream("GET", server.url("/endless")) as resp:
                assert "content-length" not in resp.headers
                got = 0
                for chunk in resp.iter_bytes():
                    got += len(chunk)
                    if got > 1_000_000:
                        break
            assert got > 1_000_000
        assert server.hits["/tea"] == 1 and server.hits["/endless"] == 1
        server.reset()
        assert not server.hits


def test_media_server_counts_streams(tmp_path: Path) -> None:
    """The counting the tests above rely on: a stream is open while read, closed soon after the client goes."""
    with MediaServer(tmp_path) as server:
        with httpx.Client() as client, client.stream("GET", server.url("/trickle?interval=0.05")) as resp:
            next(resp.iter_bytes())
            assert server.open_streams["/trickle"] == 1
        assert server.wait_streams_closed("/trickle", 2) < 1.0
        assert server.open_streams["/trickle"] == 0 and server.peak_streams["/trickle"] == 1
