#!/usr/bin/env node
import { ConfigurationError } from '../lambda/core/config';
import { buildApp } from '../lib/app';

try {
  buildApp();
} catch (error) {
  if (error instanceof ConfigurationError) {
    // A configuration mistake is the operator's to fix: say what, without a stack trace.
    console.error(`Configuration error: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
