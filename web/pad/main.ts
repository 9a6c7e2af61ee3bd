document.getElementById('pad')!.dataset.ready = '1'
