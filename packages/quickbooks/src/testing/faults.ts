/**
 * QuickBooks Fault bodies as the real API sends them (IntuitRestServiceDef.xsd `Fault`/`Error`, JSON casing: `Error`
 * array, `Message`/`Detail`/`code`/`element`, Fault `type`). Messages follow Intuit's published wording where it is
 * known; the simulator never invents a different envelope.
 */

export interface QboErrorItem {
  Message: string;
  Detail?: string;
  code: string;
  element?: string;
}

export interface QboFaultBody {
  Fault: { Error: QboErrorItem[]; type: string };
  time: string;
}

/**
 * How a Fault travels: `json` is the documented `{"Fault":{"Error":[...]}}`; `gateway` is the lower-case envelope
 * with nulls that Intuit's gateway answers 401/403 with
 * (`{"fault":{"error":[{"message":...,"detail":null,"code":"3100","element":null}],"type":"SERVICE"},...}`); `xml`
 * is `<IntuitResponse><Fault type="..."><Error code="...">`, which throttling answers even when JSON was asked for.
 */
export type FaultWireFormat = 'json' | 'gateway' | 'xml';

/** A fault plus the HTTP status the real API answers it with. */
export interface SimFault {
  status: number;
  fault: { Error: QboErrorItem[]; type: string };
  /** Default `json`. */
  format?: FaultWireFormat;
}

function fault(
  status: number,
  type: string,
  code: string,
  message: string,
  detail?: string,
  element?: string,
): SimFault {
  const item: QboErrorItem = { Message: message, code };
  if (detail !== undefined) item.Detail = detail;
  item.element = element ?? '';
  return { status, fault: { Error: [item], type } };
}

export const faults = {
  /**
   * 401: missing, expired, revoked or unknown bearer token. Intuit's gateway answers it in its lower-case envelope
   * (`type: "AUTHENTICATION"`), or as XML with the XSD's `AuthenticationFault` type.
   */
  authentication: (format: 'gateway' | 'xml' = 'gateway', detail = 'Token expired or invalid'): SimFault => ({
    ...fault(
      401,
      format === 'xml' ? 'AuthenticationFault' : 'AUTHENTICATION',
      '3200',
      'message=AuthenticationFailed; errorCode=003200; statusCode=401',
      detail,
    ),
    format,
  }),
  /** 403: a valid token used against another company; the gateway's envelope, with null detail and element. */
  authorization: (): SimFault => ({
    ...fault(403, 'SERVICE', '3100', 'message=AuthorizationFailed; errorCode=003100; statusCode=403'),
    format: 'gateway',
  }),
  /** 429: always XML, whatever the Accept header asked for [intuit/QuickBooks-V3-PHP-SDK#54]. */
  throttled: (): SimFault => ({
    ...fault(429, 'SERVICE', '3001', 'message=ThrottleExceeded; errorCode=003001; statusCode=429'),
    format: 'xml',
  }),
  stale: (): SimFault =>
    fault(
      400,
      'ValidationFault',
      '5010',
      'Stale Object Error',
      'Stale Object Error : You and API were working on this at the same time. API finished before you did, so your work was not saved.',
    ),
  duplicateName: (name: string, kind: 'Customer' | 'Item'): SimFault =>
    fault(
      400,
      'ValidationFault',
      '6240',
      'Duplicate Name Exists Error',
      kind === 'Customer'
        ? `The name supplied already exists. : Another customer, vendor or employee is already using this name (${name}). Please use a different name.`
        : `The name supplied already exists. : Another product or service is already using this name (${name}). Please use a different name.`,
    ),
  duplicateDocNumber: (docNumber: string, txnId: string): SimFault =>
    fault(
      400,
      'ValidationFault',
      '6140',
      'Duplicate Document Number Error',
      `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${docNumber} is assigned to TxnType=Invoice with TxnId=${txnId}`,
    ),
  notFound: (entity: string, id: string): SimFault =>
    fault(
      400,
      'ValidationFault',
      '610',
      'Object Not Found',
      `Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. (${entity} Id=${id})`,
    ),
  invalidReference: (element: string, id: string): SimFault =>
    fault(
      400,
      'ValidationFault',
      '2500',
      'Invalid Reference Id',
      `Invalid Reference Id : ${element} ${id} does not exist`,
      element,
    ),
  requiredParam: (param: string): SimFault =>
    fault(
      400,
      'ValidationFault',
      '2020',
      'Required param missing, need to supply the required value for the API',
      `Required parameter ${param} is missing in the request`,
      param,
    ),
  stringLength: (param: string, max: number): SimFault =>
    fault(
      400,
      'ValidationFault',
      '2050',
      'String length is either shorter or longer than supported by specification',
      `String length specified does not match the supported length. Min:0 Max:${max} supported. Supplied length: ${param}`,
      param,
    ),
  invalidAmount: (detail: string): SimFault =>
    fault(400, 'ValidationFault', '6070', 'Amount calculation incorrect in the request', detail),
  business: (detail: string): SimFault =>
    fault(
      400,
      'ValidationFault',
      '6000',
      'A business validation error has occurred while processing your request',
      `Business Validation Error: ${detail}`,
    ),
  badRequest: (detail: string): SimFault =>
    fault(400, 'ValidationFault', '2010', 'Request has invalid or unsupported property', detail),
  queryParse: (detail: string): SimFault =>
    fault(400, 'ValidationFault', '4000', 'Error parsing query', `QueryParserError: ${detail}`),
  queryValidation: (detail: string): SimFault =>
    fault(400, 'ValidationFault', '4001', 'Invalid query', `QueryValidationError: ${detail}`),
  /** A where clause on a property the query service does not filter on. */
  notQueryable: (entity: string, field: string): SimFault =>
    fault(
      400,
      'ValidationFault',
      '4001',
      'Invalid query',
      `QueryValidationError: property '${field}' is not queryable for ${entity}`,
      field,
    ),
  unsupportedOperation: (detail: string): SimFault =>
    fault(400, 'ValidationFault', '500', 'Unsupported Operation', `Operation ${detail} is not supported.`),
  serverError: (status: number): SimFault =>
    fault(
      status,
      'SystemFault',
      '10000',
      'An application error has occurred while processing your request',
      'System Failure Error: An unexpected error occurred while accessing or saving your data. Please wait a few minutes and try again.',
    ),
} as const;
