"""Stage 3: the model to pages (Markdown pages whose blocks are HTML), with role views and archives."""
