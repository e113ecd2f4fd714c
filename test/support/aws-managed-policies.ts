/**
 * AWS managed policy documents, copied from the AWS Managed Policy Reference
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/) and the
 * Amazon Bedrock user guide ("AWS managed policies for Amazon Bedrock"), for
 * the synthetic account. The demo snapshot's iam.json holds the same texts.
 */

/** `arn:aws:iam::aws:policy/AdministratorAccess` v1. */
export const AdministratorAccess = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** `arn:aws:iam::aws:policy/AmazonBedrockReadOnly` v7 (edited 2026-02-12). */
export const AmazonBedrockReadOnly = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'AmazonBedrockReadOnly', Effect: 'Allow', Action: ['bedrock:Get*', 'bedrock:List*'], Resource: '*' },
    {
      Sid: 'MarketplaceModelEndpointNonMutatingAPIs',
      Effect: 'Allow',
      Action: [
        'sagemaker:DescribeEndpoint',
        'sagemaker:DescribeEndpointConfig',
        'sagemaker:DescribeModel',
        'sagemaker:DescribeInferenceComponent',
        'sagemaker:ListEndpoints',
        'sagemaker:ListTags',
      ],
      Resource: [
        'arn:aws:sagemaker:*:*:endpoint/*',
        'arn:aws:sagemaker:*:*:endpoint-config/*',
        'arn:aws:sagemaker:*:*:model/*',
      ],
      Condition: { StringEquals: { 'aws:CalledViaLast': 'bedrock.amazonaws.com' } },
    },
    {
      Sid: 'DiscoveringMarketplaceModel',
      Effect: 'Allow',
      Action: ['sagemaker:DescribeHubContent'],
      Resource: [
        'arn:aws:sagemaker:*:aws:hub-content/SageMakerPublicHub/Model/*',
        'arn:aws:sagemaker:*:aws:hub/SageMakerPublicHub',
      ],
    },
    {
      Sid: 'AllowMarketplaceModelsListing',
      Effect: 'Allow',
      Action: ['sagemaker:ListHubContents'],
      Resource: 'arn:aws:sagemaker:*:aws:hub/SageMakerPublicHub',
    },
  ],
};

/** `arn:aws:iam::aws:policy/AmazonBedrockFullAccess` as published in the Bedrock user guide. */
export const AmazonBedrockFullAccess = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'BedrockAll', Effect: 'Allow', Action: ['bedrock:*'], Resource: '*' },
    { Sid: 'DescribeKey', Effect: 'Allow', Action: ['kms:DescribeKey'], Resource: 'arn:*:kms:*:::*' },
    {
      Sid: 'APIsWithAllResourceAccess',
      Effect: 'Allow',
      Action: ['iam:ListRoles', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
      Resource: '*',
    },
    {
      Sid: 'MarketplaceModelEndpointMutatingAPIs',
      Effect: 'Allow',
      Action: [
        'sagemaker:CreateEndpoint',
        'sagemaker:CreateEndpointConfig',
        'sagemaker:CreateModel',
        'sagemaker:DeleteEndpoint',
        'sagemaker:UpdateEndpoint',
      ],
      Resource: [
        'arn:aws:sagemaker:*:*:endpoint/*',
        'arn:aws:sagemaker:*:*:endpoint-config/*',
        'arn:aws:sagemaker:*:*:model/*',
      ],
      Condition: {
        StringEquals: {
          'aws:CalledViaLast': 'bedrock.amazonaws.com',
          'aws:ResourceTag/sagemaker-sdk:bedrock': 'compatible',
        },
      },
    },
    {
      Sid: 'MarketplaceModelEndpointAddTagsOperations',
      Effect: 'Allow',
      Action: ['sagemaker:AddTags'],
      Resource: [
        'arn:aws:sagemaker:*:*:endpoint/*',
        'arn:aws:sagemaker:*:*:endpoint-config/*',
        'arn:aws:sagemaker:*:*:model/*',
      ],
      Condition: {
        'ForAllValues:StringEquals': {
          'aws:TagKeys': [
            'sagemaker-sdk:bedrock',
            'bedrock:marketplace-registration-status',
            'sagemaker-studio:hub-content-arn',
          ],
        },
        StringLike: {
          'aws:RequestTag/sagemaker-sdk:bedrock': 'compatible',
          'aws:RequestTag/bedrock:marketplace-registration-status': 'registered',
          'aws:RequestTag/sagemaker-studio:hub-content-arn':
            'arn:aws:sagemaker:*:aws:hub-content/SageMakerPublicHub/Model/*',
        },
      },
    },
    {
      Sid: 'MarketplaceModelEndpointDeleteTagsOperations',
      Effect: 'Allow',
      Action: ['sagemaker:DeleteTags'],
      Resource: [
        'arn:aws:sagemaker:*:*:endpoint/*',
        'arn:aws:sagemaker:*:*:endpoint-config/*',
        'arn:aws:sagemaker:*:*:model/*',
      ],
      Condition: {
        'ForAllValues:StringEquals': {
          'aws:TagKeys': [
            'sagemaker-sdk:bedrock',
            'bedrock:marketplace-registration-status',
            'sagemaker-studio:hub-content-arn',
          ],
        },
        StringLike: {
          'aws:ResourceTag/sagemaker-sdk:bedrock': 'compatible',
          'aws:ResourceTag/bedrock:marketplace-registration-status': 'registered',
          'aws:ResourceTag/sagemaker-studio:hub-content-arn':
            'arn:aws:sagemaker:*:aws:hub-content/SageMakerPublicHub/Model/*',
        },
      },
    },
    {
      Sid: 'MarketplaceModelEndpointNonMutatingAPIs',
      Effect: 'Allow',
      Action: [
        'sagemaker:DescribeEndpoint',
        'sagemaker:DescribeEndpointConfig',
        'sagemaker:DescribeModel',
        'sagemaker:DescribeInferenceComponent',
        'sagemaker:ListEndpoints',
        'sagemaker:ListTags',
      ],
      Resource: [
        'arn:aws:sagemaker:*:*:endpoint/*',
        'arn:aws:sagemaker:*:*:endpoint-config/*',
        'arn:aws:sagemaker:*:*:model/*',
      ],
      Condition: { StringEquals: { 'aws:CalledViaLast': 'bedrock.amazonaws.com' } },
    },
    {
      Sid: 'MarketplaceModelEndpointInvokingOperations',
      Effect: 'Allow',
      Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream'],
      Resource: ['arn:aws:sagemaker:*:*:endpoint/*'],
      Condition: {
        StringEquals: {
          'aws:CalledViaLast': 'bedrock.amazonaws.com',
          'aws:ResourceTag/sagemaker-sdk:bedrock': 'compatible',
        },
      },
    },
    {
      Sid: 'DiscoveringMarketplaceModel',
      Effect: 'Allow',
      Action: ['sagemaker:DescribeHubContent'],
      Resource: [
        'arn:aws:sagemaker:*:aws:hub-content/SageMakerPublicHub/Model/*',
        'arn:aws:sagemaker:*:aws:hub/SageMakerPublicHub',
      ],
    },
    {
      Sid: 'AllowMarketplaceModelsListing',
      Effect: 'Allow',
      Action: ['sagemaker:ListHubContents'],
      Resource: 'arn:aws:sagemaker:*:aws:hub/SageMakerPublicHub',
    },
    {
      Sid: 'PassRoleToSageMaker',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: ['arn:aws:iam::*:role/*SageMaker*ForBedrock*'],
      Condition: { StringEquals: { 'iam:PassedToService': ['sagemaker.amazonaws.com', 'bedrock.amazonaws.com'] } },
    },
    {
      Sid: 'PassRoleToBedrock',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: 'arn:aws:iam::*:role/*AmazonBedrock*',
      Condition: { StringEquals: { 'iam:PassedToService': ['bedrock.amazonaws.com'] } },
    },
    {
      Sid: 'MarketplaceOperationsFromBedrockFor3pModels',
      Effect: 'Allow',
      Action: ['aws-marketplace:Subscribe', 'aws-marketplace:ViewSubscriptions', 'aws-marketplace:Unsubscribe'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:CalledViaLast': 'bedrock.amazonaws.com' } },
    },
  ],
};

/** `arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy` v2. */
export const AWSOrganizationsServiceTrustPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowDeletionOfServiceLinkedRoleForOrganizations',
      Effect: 'Allow',
      Action: ['iam:DeleteRole'],
      Resource: ['arn:aws:iam::*:role/aws-service-role/organizations.amazonaws.com/*'],
    },
    {
      Sid: 'AllowCreationOfServiceLinkedRoles',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: '*',
    },
  ],
};

/** The `FullAWSAccess` SCP (`p-FullAWSAccess`) attached by default at every level. */
export const FullAWSAccess = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
