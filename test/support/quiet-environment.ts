// Runs before every test file. The functions deploy on Node 24; the SDK's notice that it
// will soon stop supporting this machine's Node 20 is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Powertools logs go to stdout; tests that assert on logs capture them explicitly.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
