"""Every FilterCriteria key Inspector defines: its filter shape and where its value sits.

The keys and shapes are botocore's inspector2 ``FilterCriteria`` (a test keeps them equal). The
path names the value inside an Inspector ``Finding`` document; ``*`` walks every element of a list,
so a key may carry several values (image tags, layers, related vulnerabilities, resources).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class FieldKind(Enum):
    STRING = "StringFilter"
    DATE = "DateFilter"
    NUMBER = "NumberFilter"
    MAP = "MapFilter"
    PORT_RANGE = "PortRangeFilter"
    PACKAGE = "PackageFilter"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: FieldKind
    path: tuple[str, ...]


_RES = ("resources", "*")
_DETAILS = (*_RES, "details")
_EC2 = (*_DETAILS, "awsEc2Instance")
_ECR = (*_DETAILS, "awsEcrContainerImage")
_LAMBDA = (*_DETAILS, "awsLambdaFunction")
_PVD = ("packageVulnerabilityDetails",)
_NET = ("networkReachabilityDetails",)
_CODE = ("codeVulnerabilityDetails",)
_AMI = (*_DETAILS, "machineImage")
_VM = (*_DETAILS, "vm")
_IMAGE = (*_DETAILS, "image")
_FN = (*_DETAILS, "serverlessFunction")

_S, _D, _N = FieldKind.STRING, FieldKind.DATE, FieldKind.NUMBER

_FIELDS = (
    Field("findingArn", _S, ("findingArn",)),
    Field("awsAccountId", _S, ("awsAccountId",)),
    Field("findingType", _S, ("type",)),
    Field("severity", _S, ("severity",)),
    Field("firstObservedAt", _D, ("firstObservedAt",)),
    Field("lastObservedAt", _D, ("lastObservedAt",)),
    Field("updatedAt", _D, ("updatedAt",)),
    Field("findingStatus", _S, ("status",)),
    Field("title", _S, ("title",)),
    Field("inspectorScore", _N, ("inspectorScore",)),
    Field("resourceType", _S, (*_RES, "type")),
    Field("resourceId", _S, (*_RES, "id")),
    Field("resourceTags", FieldKind.MAP, (*_RES, "tags")),
    Field("ec2InstanceImageId", _S, (*_EC2, "imageId")),
    Field("ec2InstanceVpcId", _S, (*_EC2, "vpcId")),
    Field("ec2InstanceSubnetId", _S, (*_EC2, "subnetId")),
    Field("ecrImagePushedAt", _D, (*_ECR, "pushedAt")),
    Field("ecrImageArchitecture", _S, (*_ECR, "architecture")),
    Field("ecrImageRegistry", _S, (*_ECR, "registry")),
    Field("ecrImageRepositoryName", _S, (*_ECR, "repositoryName")),
    Field("ecrImageTags", _S, (*_ECR, "imageTags", "*")),
    Field("ecrImageHash", _S, (*_ECR, "imageHash")),
    Field("ecrImageLastInUseAt", _D, (*_ECR, "lastInUseAt")),
    Field("ecrImageInUseCount", _N, (*_ECR, "inUseCount")),
    Field("portRange", FieldKind.PORT_RANGE, (*_NET, "openPortRange")),
    Field("networkProtocol", _S, (*_NET, "protocol")),
    Field("componentId", _S, (*_NET, "networkPath", "steps", "*", "componentId")),
    Field("componentType", _S, (*_NET, "networkPath", "steps", "*", "componentType")),
    Field("vulnerabilityId", _S, (*_PVD, "vulnerabilityId")),
    Field("vulnerabilitySource", _S, (*_PVD, "source")),
    Field("vendorSeverity", _S, (*_PVD, "vendorSeverity")),
    Field("vulnerablePackages", FieldKind.PACKAGE, (*_PVD, "vulnerablePackages", "*")),
    Field("relatedVulnerabilities", _S, (*_PVD, "relatedVulnerabilities", "*")),
    Field("fixAvailable", _S, ("fixAvailable",)),
    Field("lambdaFunctionName", _S, (*_LAMBDA, "functionName")),
    Field("lambdaFunctionLayers", _S, (*_LAMBDA, "layers", "*")),
    Field("lambdaFunctionRuntime", _S, (*_LAMBDA, "runtime")),
    Field("lambdaFunctionLastModifiedAt", _D, (*_LAMBDA, "lastModifiedAt")),
    Field("lambdaFunctionExecutionRoleArn", _S, (*_LAMBDA, "executionRoleArn")),
    Field("exploitAvailable", _S, ("exploitAvailable",)),
    Field("codeVulnerabilityDetectorName", _S, (*_CODE, "detectorName")),
    Field("codeVulnerabilityDetectorTags", _S, (*_CODE, "detectorTags", "*")),
    Field("codeVulnerabilityFilePath", _S, (*_CODE, "filePath", "filePath")),
    Field("epssScore", _N, ("epss", "score")),
    Field("codeRepositoryProjectName", _S, (*_DETAILS, "codeRepository", "projectName")),
    Field("codeRepositoryProviderType", _S, (*_DETAILS, "codeRepository", "providerType")),
    Field("machineImageId", _S, (*_AMI, "machineImageId")),
    Field("machineImageName", _S, (*_AMI, "name")),
    Field("machineImageOwnerAccountId", _S, (*_AMI, "ownerAccountId")),
    Field("machineImagePlatform", _S, (*_AMI, "platform")),
    Field("cloudProvider", _S, (*_RES, "provider")),
    Field("cloudProviderRegion", _S, (*_RES, "region")),
    Field("cloudProviderAccountId", _S, (*_RES, "providerAccountId")),
    Field("cloudProviderOrgId", _S, (*_RES, "providerOrgId")),
    Field("cloudVmImageReference", _S, (*_VM, "vmImageReference")),
    Field("cloudVmNetworkId", _S, (*_VM, "networkId")),
    Field("cloudVmSubnetIds", _S, (*_VM, "subnetIds", "*")),
    Field("cloudImageRepositoryName", _S, (*_IMAGE, "repositoryName")),
    Field("cloudImageRegistry", _S, (*_IMAGE, "registry")),
    Field("cloudImageDigest", _S, (*_IMAGE, "imageDigest")),
    Field("cloudImageTags", _S, (*_IMAGE, "imageTags", "*")),
    Field("cloudImagePushedAt", _D, (*_IMAGE, "pushedAt")),
    Field("cloudImageArchitecture", _S, (*_IMAGE, "architecture")),
    Field("cloudImageLastInUseAt", _D, (*_IMAGE, "lastInUseAt")),
    Field("cloudImageInUseCount", _N, (*_IMAGE, "inUseCount")),
    Field("cloudServerlessFunctionName", _S, (*_FN, "serverlessFunctionName")),
    Field("cloudServerlessFunctionRuntime", _S, (*_FN, "runtime")),
    Field("cloudServerlessFunctionLastModifiedAt", _D, (*_FN, "lastModifiedAt")),
    Field("cloudServerlessFunctionExecutionRole", _S, (*_FN, "executionRole")),
)

FIELDS: dict[str, Field] = {f.name: f for f in _FIELDS}
