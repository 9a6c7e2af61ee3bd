// Export buttons: the same report with the same filters, as CSV or Excel, in the page's language.
import { exportUrl, type Query } from '../../shared/api.ts'
import { lang } from '../../shared/i18n.ts'
import { t } from '../texts.ts'

export function ExportButtons({ report, query }: { report: string; query: Query }) {
  return (
    <div class="exports" data-report={report}>
      <a
        class="btn small ghost"
        href={exportUrl(report, query, 'xlsx', lang.value)}
        download
        data-format="xlsx"
      >
        ⤓ {t('exportXlsx')}
      </a>
      <a
        class="btn small ghost"
        href={exportUrl(report, query, 'csv', lang.value)}
        download
        data-format="csv"
      >
        ⤓ {t('exportCsv')}
      </a>
    </div>
  )
}
