"""draftcut for agents: an MCP server whose tools are the API's own endpoints.

`tools` builds the tool specs from the app's OpenAPI document (so endpoints
added later are tools at once), `server` answers MCP requests by calling the
API over HTTP (in process or remote), `http` mounts it at `/mcp` in the app,
`stdio` serves it to agents that launch `draftcut mcp`. Only `http` is
imported by the app, and it loads the SDK on first use.
"""
