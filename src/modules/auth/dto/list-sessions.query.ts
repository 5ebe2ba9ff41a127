import { ListQueryDto } from '../../../common/pagination/list-query.dto.js';

/** `GET /api/auth/sessions` paging; sorts: `createdAt` (default `-createdAt`), `lastUsedAt`. */
export class ListSessionsQuery extends ListQueryDto {}
