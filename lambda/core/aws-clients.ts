import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { awsClientSettings, namedDependency } from './dependencies';

/*
 * The AWS clients of a deployed function, and of the commands run against a deployed
 * environment: the SDK's default credentials and region, each dependency's budget, and
 * its failures named. A function's bundle keeps only the clients it builds (the SDK's
 * packages declare no side effects, so the others are shaken out).
 */

export const awsDynamoClient = (): DynamoDBClient =>
  namedDependency(new DynamoDBClient(awsClientSettings('dynamodb')), 'dynamodb');

export const awsSnsClient = (): SNSClient =>
  namedDependency(new SNSClient(awsClientSettings('sns')), 'sns');

export const awsSecretsManagerClient = (): SecretsManagerClient =>
  namedDependency(new SecretsManagerClient(awsClientSettings('secretsManager')), 'secretsManager');
