package cloudtrail

// For the external tests: the scanner alone, and the general decoder alone.
var (
	ScanDeliveryFile = scanDeliveryFile
	DecodeGeneral    = decodeGeneral
)
