pytest_plugins = ["utils.media_fixtures", "utils.server_fixtures", "utils.s3_server"]
