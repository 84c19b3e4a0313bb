#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildImagestoreApp } from '../lib/imagestore-app';

// Context: -c imageTag=<tag> (required to deploy the service stacks), -c alarmEmail=..., -c githubOwner/githubRepo=...
buildImagestoreApp(new App());
